// Runs the bench: for each scenario, each run, each server in turn (the order rotates between
// runs, so no server always goes first or last), start the server fresh, warm it up, measure,
// read its peak memory, stop it.

import { execFileSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { makeFixture, type Fixture } from './fixture.ts'
import { describeLoad, pickLoadTool, runLoad, type LoadResult, type LoadSpec, type LoadTool } from './load.ts'
import type { BenchOptions } from './options.ts'
import { NGINX, nginxMissing, nginxVersion, startNginx } from './nginx.ts'
import { cpuTime, killAll, peakRssKiB, resetPeakRss, type CpuTime, startProcess, stopProcess, waitForOutput, type Started } from './processes.ts'
import { describeRevision, fingerprintSources } from './revision.ts'
import { IDLE_CONNECTIONS, planBench, type Scenario, type ScenarioId } from './scenarios.ts'
import { findServer, repoRoot, type ServerFiles, type ServerUnderTest } from './servers-under-test.ts'

export interface Cell extends LoadResult {
  scenario: ScenarioId
  server: string
  /** Measured while IDLE_CONNECTIONS were held open. */
  idle: boolean
  run: number
  /** VmHWM at the end; from the end of the warm-up when peakReset, else since start. */
  peakRssKiB: number | undefined
  peakReset: boolean
  /**
   * The server's CPU time per response during the measurement, in µs: steadier than req/s on a
   * shared machine, since time the server waits for a CPU is not in it. Node servers only (nginx's
   * work is done by its worker, a child process).
   */
  cpuPerResponse?: CpuTime
  /** Idle connections the server closed during the measurement (each was opened again). */
  idleClosed?: number
}

export interface Cpus {
  server: string
  load: string
}

export interface BenchRun {
  options: BenchOptions
  tool: LoadTool
  /** Where servers and load ran, when taskset could keep them apart. */
  cpus: Cpus | undefined
  cells: Cell[]
  scenarios: Scenario[]
  startedAt: Date
  seconds: number
  /** The 1-minute load average before and after: other work on the machine makes numbers noisy. */
  loadAverage: [before: number, after: number]
  /** The commit measured, and whether the servers' sources changed during the run. */
  revision: string
  sourcesChanged: boolean
  /** nginx's version, when it took part. */
  nginx?: string
}

/** The last CPU for the server, the rest for the load generator: no contention for one core. */
export function pickCpus(): Cpus | undefined {
  const count = os.availableParallelism()
  if (count < 2) return undefined
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' })
  } catch {
    return undefined
  }
  return { server: String(count - 1), load: count === 2 ? '0' : `0-${count - 2}` }
}

export async function runBench(options: BenchOptions, log: (line: string) => void): Promise<BenchRun> {
  const started = performance.now()
  const loadBefore = os.loadavg()[0]!
  const revision = describeRevision()
  const sources = fingerprintSources()
  const tool = pickLoadTool(options.load)
  const cpus = pickCpus()
  // nginx takes part when installed; otherwise one line says how to add it, like wrk's.
  const nginxWanted = planBench(options).some(({ servers }) => servers.includes('nginx'))
  const nginxSkipped = nginxWanted ? nginxMissing() : undefined
  const nginx = nginxWanted && !nginxSkipped ? (nginxVersion() ?? '?') : undefined
  const plan = planBench(options, nginxSkipped ? ['nginx'] : [])
  const fixture = makeFixture()
  const removeFixture = () => fixture.remove()
  process.on('exit', removeFixture) // Ctrl-C exits from its handler, past the finally below
  const cells: Cell[] = []
  log(`measuring commit ${revision}`)
  log(`load generator: ${tool}${tool === 'autocannon' ? ' (wrk is not installed; a new connection per request uses new-connection-load.ts)' : ''}`)
  if (nginxWanted) log(nginxSkipped ?? `nginx: ${NGINX} ${nginx}, one process with sendfile, as the practical limit (config written by nginx.ts, in a private prefix)`)
  log(cpus ? `CPUs: servers on ${cpus.server}, load generator on ${cpus.load} (taskset); logins unpinned, for the thread pool` : 'CPUs: not pinned (no taskset, or one CPU)')
  log(`${options.runs} run(s) of ${options.durationS} s per cell after ${options.warmupS} s of warm-up; files in ${fixture.root}`)
  if (loadBefore > 0.5) log(`note: the machine's load average is ${loadBefore.toFixed(1)} before the bench: other work will make the numbers noisy`)
  try {
    for (const { scenario, servers } of plan) {
      log(`\n== ${scenario.title}: ${servers.join(', ')}`)
      for (let run = 0; run < options.runs; run++) {
        const order = [...servers.slice(run % servers.length), ...servers.slice(0, run % servers.length)]
        for (const id of order) {
          const variants = !scenario.idle ? [false] : run % 2 === 0 ? [false, true] : [true, false]
          for (const idle of variants) cells.push(await measureCell({ scenario, id, idle, run, tool, cpus, fixture, options, log }))
        }
      }
    }
  } finally {
    killAll()
    removeFixture()
    process.off('exit', removeFixture)
  }
  const sourcesChanged = fingerprintSources() !== sources
  if (sourcesChanged) log('\nwarning: server sources changed while the bench ran: the table mixes versions; run it again')
  return { options, tool, cpus, cells, scenarios: plan.map((p) => p.scenario), startedAt: new Date(Date.now() - (performance.now() - started)), seconds: (performance.now() - started) / 1000, loadAverage: [loadBefore, os.loadavg()[0]!], revision, sourcesChanged, ...(nginx ? { nginx } : {}) }
}

interface CellPlan {
  scenario: Scenario
  id: string
  idle: boolean
  run: number
  tool: LoadTool
  cpus: Cpus | undefined
  fixture: Fixture
  options: BenchOptions
  log: (line: string) => void
}

async function measureCell({ scenario, id, idle, run, tool, cpus, fixture, options, log }: CellPlan): Promise<Cell> {
  const server = findServer(id)
  const serverCpus = scenario.pinned ? cpus?.server : undefined
  const loadCpus = scenario.pinned ? cpus?.load : undefined
  const tag = `[${scenario.id} ${run + 1}/${options.runs}] ${server.label}${idle ? ` + ${IDLE_CONNECTIONS} idle connections` : ''}`
  const running = await startServer(server, fixture, scenario.idle, serverCpus, (command) => log(`${tag}: ${command}`))
  const port = running.port
  const serverProcess = running.process
  let holder: Started | undefined
  try {
    const spec: LoadSpec = {
      port,
      path: scenario.path(server),
      connections: scenario.connections,
      durationS: Math.max(options.durationS, scenario.minDurationS ?? 0),
      newConnection: scenario.newConnection || !server.keepAlive,
      cpus: loadCpus,
      loginLua: fixture.loginLua,
      ...(scenario.body ? { body: scenario.body } : {}),
    }
    holder = idle ? startProcess(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts/bench/idle-connections.ts'), String(port), spec.path, String(IDLE_CONNECTIONS)], loadCpus) : undefined
    if (holder) log(`${tag}: holding ${await waitForOutput(holder, /holding (\d+)/, 'idle-connections.ts')} idle connections open (idle-connections.ts${loadCpus ? ` on CPU ${loadCpus}` : ''})`)
    if (options.warmupS > 0) await runLoad(tool, { ...spec, durationS: options.warmupS })
    const peakReset = resetPeakRss(serverProcess.child.pid)
    log(`${tag}: ${describeLoad(tool, spec)}${loadCpus ? ` on CPU ${loadCpus}` : ''}`)
    const before = server.kind === 'node' ? cpuTime(serverProcess.child.pid) : undefined
    const result = await runLoad(tool, spec)
    const after = before && cpuTime(serverProcess.child.pid)
    const responses = result.ok + result.failed
    const cpuPerResponse = before && after && responses > 0 ? { userUs: (after.userUs - before.userUs) / responses, systemUs: (after.systemUs - before.systemUs) / responses } : undefined
    const peak = peakRssKiB(serverProcess.child.pid)
    let idleClosed: number | undefined
    if (holder) {
      await stopProcess(holder, 'SIGTERM')
      idleClosed = Number(/closed by the server: (\d+)/.exec(holder.output())?.[1] ?? NaN)
    }
    const trouble = [result.failed && `${result.failed} not 2xx`, result.errors && `${result.errors} socket errors`, idleClosed && `${idleClosed} idle connections closed`].filter(Boolean)
    log(`${tag}: ${Math.round(result.rps)} req/s, peak RSS ${peak === undefined ? '?' : Math.round(peak / 1024)} MiB${trouble.length ? ` (${trouble.join(', ')})` : ''}`)
    return { scenario: scenario.id, server: id, idle, run, ...result, peakRssKiB: peak, peakReset, ...(cpuPerResponse ? { cpuPerResponse } : {}), ...(idleClosed === undefined ? {} : { idleClosed }) }
  } finally {
    if (holder) await stopProcess(holder)
    await running.stop()
  }
}

interface RunningServer {
  process: Started
  port: number
  /** Kill it, wait until it is gone, and remove what it was given (nginx's prefix). */
  stop(): Promise<void>
}

/** A Node server prints the port it chose; nginx gets a free one from nginx.ts. `show` gets its command line. */
async function startServer(server: ServerUnderTest, files: ServerFiles, idle: boolean, cpus: string | undefined, show: (command: string) => void): Promise<RunningServer> {
  if (server.kind === 'nginx') {
    const nginx = await startNginx(files.root, cpus)
    show(`started ${nginx.command} (listening on 127.0.0.1:${nginx.port})`)
    return { process: nginx.process, port: nginx.port, stop: nginx.stop }
  }
  const args = server.args(files, idle)
  show(`starting node ${args.map((a) => (path.isAbsolute(a) ? path.relative(repoRoot, a) : a)).join(' ')}${cpus ? ` on CPU ${cpus}` : ''}`)
  const started = startProcess(process.execPath, args, cpus)
  const port = Number(await waitForOutput(started, /listening on http:\/\/[^\s/]+:(\d+)/, server.label))
  return { process: started, port, stop: () => stopProcess(started) }
}
