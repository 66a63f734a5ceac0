// The bench's command line: npm run bench -- [--quick] [--runs N] [--duration S] [--only SCENARIO,…]
// [--servers ID,…] [--load wrk|autocannon] [--out DIR].

import path from 'node:path'
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
  help: boolean
}

export class UsageError extends Error {}

export const BENCH_USAGE = `Usage: npm run bench -- [options]

Measures final/, chapters 04–07, sirv and two node:http servers on the same files.

Options:
  --quick              1 run of 2 s per cell, fewer servers: under two minutes
  --runs N             runs of every cell, servers in turn, medians reported (default 3)
  --duration S         seconds of load per cell (default 10; --quick 2)
  --warmup S           seconds of load thrown away before each cell (default 2; --quick 1)
  --only ID,…          scenarios: ${SCENARIOS.map((s) => s.id).join(', ')}
  --servers ID,…       servers: ${SERVERS.map((s) => s.id).join(', ')} ("ch07" picks both ch07s)
  --load TOOL          wrk or autocannon (default wrk when installed)
  --out DIR            where latest.md and latest.svg go (default bench/results)`

export function parseBenchArgs(args: string[]): BenchOptions {
  const options: BenchOptions = { quick: false, runs: 3, durationS: 10, warmupS: 2, only: undefined, servers: undefined, load: undefined, out: path.join(repoRoot, 'bench/results'), help: false }
  const set = new Set<string>()
  const value = (i: number, flag: string) => {
    const v = args[i]
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`)
    return v
  }
  const whole = (v: string, flag: string, min: number) => {
    if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`${flag} needs a whole number of at least ${min}, not ${JSON.stringify(v)}`)
    return Number(v)
  }
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!
    set.add(flag)
    if (flag === '--quick') options.quick = true
    else if (flag === '--help' || flag === '-h') options.help = true
    else if (flag === '--runs') options.runs = whole(value(++i, flag), flag, 1)
    else if (flag === '--duration') options.durationS = whole(value(++i, flag), flag, 1)
    else if (flag === '--warmup') options.warmupS = whole(value(++i, flag), flag, 0)
    else if (flag === '--only') options.only = value(++i, flag).split(',').map((id) => checked(() => findScenario(id).id))
    else if (flag === '--servers') options.servers = value(++i, flag).split(',').map((id) => checked(() => (SERVERS.some((s) => s.id.startsWith(`${id}-`)) ? id : findServer(id).id)))
    else if (flag === '--load') options.load = checked(() => loadTool(value(++i, flag)))
    else if (flag === '--out') options.out = path.resolve(value(++i, flag))
    else throw new UsageError(`unknown option ${JSON.stringify(flag)}`)
  }
  if (options.quick) {
    // Explicit flags win over what --quick implies.
    if (!set.has('--runs')) options.runs = 1
    if (!set.has('--duration')) options.durationS = 2
    if (!set.has('--warmup')) options.warmupS = 1
  }
  return options
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
