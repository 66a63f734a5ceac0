// The bench's command line: npm run bench -- [--quick] [--runs N] [--duration S] [--only SCENARIO,…]
// [--servers ID,…] [--load wrk|autocannon] [--against COMMIT] [--out DIR].

import path from 'node:path'
import { parseArgs } from 'node:util'
import type { LoadTool } from './load.ts'
import { SCENARIOS, findScenario, type ScenarioId } from './scenarios.ts'
import { SERVERS, findServer, repoRoot } from './servers-under-test.ts'

export interface BenchOptions {
  quick: boolean
  runs: number
  durationS: number
  /** Load before each measurement, thrown away: the JIT compiles the hot path during it. */
  warmupS: number
  only: ScenarioId[] | undefined
  servers: string[] | undefined
  load: LoadTool | undefined
  out: string
  /** A commit whose final/ is measured beside today's (final-at.ts). */
  against: string | undefined
  help: boolean
}

export class UsageError extends Error {}

export const BENCH_USAGE = `Usage: npm run bench -- [options]

Measures final/, chapters 04–07, sirv and two node:http servers on the same files, and nginx
(the practical limit) when /usr/sbin/nginx is installed (apt-get install nginx-light).

Options:
  --quick              1 run of 2 s per cell, fewer servers: under two minutes
  --runs N             runs of every cell, servers in turn, medians reported (default 3)
  --duration S         seconds of load per cell (default 10; --quick 2)
  --warmup S           seconds of load thrown away before each cell (default 2; --quick 1)
  --only ID,…          scenarios: ${SCENARIOS.map((s) => s.id).join(', ')}
  --servers ID,…       servers: ${SERVERS.map((s) => s.id).join(', ')} ("ch07" picks both ch07s)
  --load TOOL          wrk or autocannon (default wrk when installed)
  --against COMMIT     also measure final/ as it was at COMMIT, in turn with today's: did speed go backwards?
  --out DIR            where latest.md and latest.svg go (default bench/results)`

export function parseBenchArgs(args: string[]): BenchOptions {
  let parsed: ReturnType<typeof readBenchArgs>
  try {
    parsed = readBenchArgs(args)
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''))
  }
  const { values, positionals } = parsed
  if (positionals.length > 0) throw new UsageError(`unknown argument ${JSON.stringify(positionals[0])}`)
  const whole = (v: string | undefined, flag: string, min: number, fallback: number) => {
    if (v === undefined) return fallback
    if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`${flag} needs a whole number of at least ${min}, not ${JSON.stringify(v)}`)
    return Number(v)
  }
  const quick = values.quick ?? false
  // Explicit flags win over what --quick implies.
  return {
    quick,
    help: values.help ?? false,
    runs: whole(values.runs, '--runs', 1, quick ? 1 : 3),
    durationS: whole(values.duration, '--duration', 1, quick ? 2 : 10),
    warmupS: whole(values.warmup, '--warmup', 0, quick ? 1 : 2),
    only: values.only?.split(',').map((id) => checked(() => findScenario(id).id)),
    servers: values.servers?.split(',').map((id) => checked(() => (SERVERS.some((s) => s.id.startsWith(`${id}-`)) ? id : findServer(id).id))),
    load: values.load === undefined ? undefined : checked(() => loadTool(values.load!)),
    out: values.out === undefined ? path.join(repoRoot, 'bench/results') : path.resolve(values.out),
    against: values.against,
  }
}

function readBenchArgs(args: string[]) {
  const text = { type: 'string' } as const
  return parseArgs({
    args,
    options: { quick: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, runs: text, duration: text, warmup: text, only: text, servers: text, load: text, out: text, against: text },
    allowPositionals: true,
    strict: true,
  })
}

function loadTool(name: string): LoadTool {
  if (name !== 'wrk' && name !== 'autocannon') throw new Error(`--load is wrk or autocannon, not ${JSON.stringify(name)}`)
  return name
}

function checked<T>(get: () => T): T {
  try {
    return get()
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}
