// Instructions per kept-alive request of final/'s own JavaScript, counted by Valgrind: a measure a
// busy host does not move (about ±1% from run to run, where req/s moves 20–30%), for telling
// whether a change to final/ made it slower. The handler runs in-process (in-process.ts), in
// Node with --single-threaded so that the JIT compiles on the one thread Valgrind counts; the
// count of a short run is taken from a longer one's, which leaves start-up and compiling out.
// Usage: npx tsx scripts/bench/instructions.ts [--against COMMIT] [--requests N]
// Without Valgrind (apt-get install valgrind) it prints CPU time per request instead.

import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { finalSrcAt } from './final-at.ts'
import { SMALL_FILE, makeFixture, type Fixture } from './fixture.ts'
import { repoRoot, startScriptNodeFlags } from './servers-under-test.ts'
import { RACY_WINDOW_MS } from '../../final/src/limits.ts'
import type { InProcessRun } from './in-process.ts'

const run = promisify(execFile)
const WARMUP = 1_000 // requests before the CPU clock starts, in the plain Node run

interface Subject {
  label: string
  /** final/'s src folder: today's, or another commit's from git archive. */
  src: string
}

/** The harness bundled with one final/'s classes into one file for plain Node. */
async function bundleHarness(subject: Subject): Promise<string> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'workbook-instructions-'))
  const entry = path.join(folder, 'entry.ts')
  const from = (file: string) => JSON.stringify(path.join(subject.src, file))
  writeFileSync(
    entry,
    [
      `import { SimpleHTTPServer } from ${from('simple-http-server.ts')}`,
      `import { SimpleHTTPRequestHandler } from ${from('static-handler.ts')}`,
      `import { loadUsers } from ${from('users.ts')}`,
      `import { WorkerPool } from ${from('worker-pool.ts')}`,
      `import { runKeptAlive } from ${JSON.stringify(path.join(repoRoot, 'scripts/bench/in-process.ts'))}`,
      `const [requests, warmup, root, users, target] = process.argv.slice(2)`,
      `const result = await runKeptAlive({ SimpleHTTPServer, SimpleHTTPRequestHandler, loadUsers, WorkerPool }, { root, users, target, requests: Number(requests), warmup: Number(warmup) })`,
      `console.log(JSON.stringify(result))`,
      `process.exit(0)`,
    ].join('\n'),
  )
  const outfile = path.join(folder, 'harness.mjs')
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20.19', logLevel: 'warning' })
  return outfile
}

/** final/'s src as it was at a commit (final-at.ts unpacks it, as for `npm run bench -- --against`). */
function srcAt(commit: string): Subject {
  const { short, src } = finalSrcAt(commit)
  return { label: `final/ at ${short}`, src }
}

function harnessArgs(harness: string, requests: number, warmup: number, fixture: Fixture): string[] {
  return ['--single-threaded', ...startScriptNodeFlags().filter((flag) => flag !== '--enable-source-maps'), harness, String(requests), String(warmup), fixture.root, fixture.users, SMALL_FILE]
}

/** Valgrind's count of every instruction the process ran ("I refs"). */
async function countInstructions(harness: string, requests: number, fixture: Fixture): Promise<{ instructions: number; result: InProcessRun }> {
  const { stdout, stderr } = await run('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', '--smc-check=all-non-file', process.execPath, ...harnessArgs(harness, requests, 1, fixture)], { maxBuffer: 16 * 1024 * 1024 })
  const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr)
  if (!refs) throw new Error(`valgrind printed no instruction count:\n${stderr.slice(-2000)}`)
  return { instructions: Number(refs[1]!.replaceAll(',', '')), result: JSON.parse(stdout) }
}

function hasValgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined)
  const against = option('--against')
  const requests = Number(option('--requests') ?? 20_000)
  const subjects: Subject[] = [{ label: 'final/ today', src: path.join(repoRoot, 'final/src') }, ...(against ? [srcAt(against)] : [])]
  const fixture = makeFixture()
  try {
    const harnesses = await Promise.all(subjects.map(bundleHarness))
    await new Promise((resolve) => setTimeout(resolve, RACY_WINDOW_MS + 100)) // final/ caches no file changed within it
    const rows: string[] = []
    if (hasValgrind()) {
      // Two runs each, N and 3N requests: the difference is 2N requests in the steady state.
      console.log(`Counting instructions under Valgrind: ${requests} and ${3 * requests} kept-alive GETs of ${SMALL_FILE} per final/, both at once (a minute or two)...`)
      const counts = await Promise.all(harnesses.map(async (harness) => Promise.all([countInstructions(harness, requests, fixture), countInstructions(harness, 3 * requests, fixture)])))
      const perRequest = counts.map(([short, long]) => (long.instructions - short.instructions) / (2 * requests))
      subjects.forEach((subject, i) => {
        const change = (perRequest[0]! / perRequest[i]! - 1) * 100
        const ratio = i === 0 ? '' : ` (today's final/ runs ${Math.abs(change).toFixed(1)}% ${change >= 0 ? 'more' : 'fewer'})`
        rows.push(`${subject.label}: ${Math.round(perRequest[i]!).toLocaleString('en')} instructions per request${ratio}; answered "${counts[i]![0].result.firstResponse.split('\r\n')[0]}"`)
      })
    } else {
      console.log(`valgrind is not installed (apt-get install valgrind), so this is CPU time, which other work on the host moves:`)
      for (const [i, harness] of harnesses.entries()) {
        const { stdout } = await run(process.execPath, harnessArgs(harness, 10 * requests, WARMUP, fixture))
        const result: InProcessRun = JSON.parse(stdout)
        rows.push(`${subjects[i]!.label}: ${result.userMicros.toFixed(2)} µs of user CPU per request over ${result.measured} requests; answered "${result.firstResponse.split('\r\n')[0]}"`)
      }
    }
    for (const row of rows) console.log(`  ${row}`)
  } finally {
    fixture.remove()
  }
}

try {
  await main()
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
}
