// Profiles one server under one of the bench's loads: node --cpu-prof, the same fixture and load
// generator as `npm run bench`, then self time per function and per file, start-up left out.
// Usage: npx tsx scripts/bench/cpu-profile.ts [--server final] [--scenario keepalive]
//        [--duration S] [--top N] [--out DIR (default: a new temporary folder; profiles are MBs)]

import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { makeFixture } from './fixture.ts'
import { describeLoad, pickLoadTool, runLoad, type LoadSpec } from './load.ts'
import { killChildrenOnExit, startProcess, stopProcess, waitForOutput } from './processes.ts'
import { formatSummary, summarizeProfile, type CpuProfile } from './profile-summary.ts'
import { pickCpus } from './run.ts'
import { findScenario } from './scenarios.ts'
import { findServer, repoRoot } from './servers-under-test.ts'

const WARMUP_S = 2 // left out of the summary with start-up: the JIT is still compiling then

export async function profileServer(serverId: string, scenarioId: string, durationS: number, top: number, out: string): Promise<string> {
  const server = findServer(serverId)
  if (server.kind !== 'node') throw new Error(`${server.label} is not a Node program: node --cpu-prof cannot profile it (try perf)`)
  const scenario = findScenario(scenarioId)
  const tool = pickLoadTool()
  const cpus = scenario.pinned ? pickCpus() : undefined
  const fixture = makeFixture()
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'workbook-cpu-prof-'))
  // final/ runs from its bundle, which `npm run bench` builds first (prebench); so must we.
  if (server.id.startsWith('final')) execFileSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts/build-final.ts')], { stdio: 'inherit' })
  try {
    const args = ['--cpu-prof', '--cpu-prof-dir', profileDir, ...server.args(fixture, false)]
    console.log(`profiling ${server.label} under "${scenario.title}": node ${args.map((a) => path.relative(repoRoot, a) || a).join(' ')}${cpus ? ` on CPU ${cpus.server}` : ''}`)
    const spawned = performance.now()
    const serverProcess = startProcess(process.execPath, args, cpus?.server)
    const port = Number(await waitForOutput(serverProcess, /listening on http:\/\/[^\s/]+:(\d+)/, server.label))
    const spec: LoadSpec = { port, path: scenario.path(server), connections: scenario.connections, durationS: WARMUP_S, newConnection: scenario.newConnection || !server.keepAlive, cpus: cpus?.load, loginLua: fixture.loginLua, ...(scenario.body ? { body: scenario.body } : {}) }
    await runLoad(tool, spec)
    const skipMs = performance.now() - spawned
    console.log(`load: ${describeLoad(tool, { ...spec, durationS })}${cpus ? ` on CPU ${cpus.load}` : ''}`)
    const result = await runLoad(tool, { ...spec, durationS })
    console.log(`${Math.round(result.rps)} req/s while profiled (the profiler costs some); stopping with SIGINT so the profile is written`)
    await stopProcess(serverProcess, 'SIGINT')
    // One file per thread: CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main one.
    const main = readdirSync(profileDir).find((name) => name.includes(`.${serverProcess.child.pid}.0.`))
    if (!main) throw new Error(`no profile of the main thread in ${profileDir}: ${server.label} did not exit normally`)
    mkdirSync(out, { recursive: true })
    const kept = path.join(out, `${server.id}-${scenario.id}.cpuprofile`)
    renameSync(path.join(profileDir, main), kept)
    const profile = JSON.parse(readFileSync(kept, 'utf8')) as CpuProfile
    console.log(formatSummary(summarizeProfile(profile, repoRoot, top, skipMs)))
    return kept
  } finally {
    fixture.remove()
    rmSync(profileDir, { recursive: true, force: true }) // the worker threads' profiles
  }
}

const flags = new Map<string, string>()
const argv = process.argv.slice(2)
for (let i = 0; i < argv.length; i += 2) flags.set(argv[i]!.replace(/^--/, ''), argv[i + 1] ?? '')
killChildrenOnExit((line) => console.log(line))
const kept = await profileServer(flags.get('server') ?? 'final', flags.get('scenario') ?? 'keepalive', Number(flags.get('duration') ?? 10), Number(flags.get('top') ?? 25), flags.get('out') ?? mkdtempSync(path.join(os.tmpdir(), 'workbook-profile-')))
console.log(`\nprofile kept in ${path.relative(repoRoot, kept)}: open it in Chrome DevTools (Performance) or VS Code for the flame chart`)
