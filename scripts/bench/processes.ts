// Every process the bench starts goes through here: each in its own process group, remembered,
// and killed (with anything it started) when the bench ends, fails or is stopped with Ctrl-C.

import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'

const START_TIMEOUT_MS = 30_000 // tsx compiles a chapter on start; a busy 2-core machine is slow

const running = new Set<ChildProcess>()

export interface Started {
  child: ChildProcess
  /** Everything it printed so far, stdout and stderr. */
  output(): string
  /** Resolves with its exit code (null after a signal). */
  exited: Promise<number | null>
}

/** Start a command, on the given CPUs when `cpus` is set and taskset exists. */
export function startProcess(command: string, args: string[], cpus: string | undefined, env: NodeJS.ProcessEnv = {}): Started {
  const [file, argv] = cpus ? ['taskset', ['-c', cpus, command, ...args]] : [command, args]
  // detached: its own process group, so one kill reaches worker processes it may start
  const child = spawn(file, argv, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', ...env } })
  running.add(child)
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', (error) => {
      output += String(error)
      resolve(null)
    })
    child.on('exit', (code) => resolve(code))
  })
  void exited.then(() => running.delete(child))
  return { child, output: () => output, exited }
}

/** Wait until the process prints something matching `pattern`; its first group is returned. */
export async function waitForOutput(started: Started, pattern: RegExp, what: string): Promise<string> {
  let exitCode: number | null | undefined
  void started.exited.then((code) => (exitCode = code ?? -1))
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    const match = pattern.exec(started.output())
    if (match) return match[1] ?? match[0]
    if (exitCode !== undefined || Date.now() > deadline) {
      killProcess(started)
      const why = exitCode !== undefined ? `it exited with ${exitCode}` : `nothing after ${START_TIMEOUT_MS / 1000} s`
      throw new Error(`${what} did not start (${why}). It printed:\n${started.output() || '(nothing)'}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** The process's peak resident memory in KiB (VmHWM: Linux's "high water mark"), or undefined. */
export function peakRssKiB(pid: number | undefined): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) : undefined
  } catch {
    return undefined // not Linux, or already gone
  }
}

export interface CpuTime {
  userUs: number
  systemUs: number
}

const TICK_US = 10_000 // /proc counts CPU time in ticks of 1/100 s (USER_HZ, 100 on every Linux Node runs on)

/**
 * The CPU time the process has used so far, in its own code and in the kernel on its behalf
 * (Linux: utime and stime of /proc/PID/stat), or undefined. A process's children are not in it.
 */
export function cpuTime(pid: number | undefined): CpuTime | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // "PID (name) state ppid …": the name may hold spaces, so count the fields after its ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { userUs: Number(fields[11]) * TICK_US, systemUs: Number(fields[12]) * TICK_US }
  } catch {
    return undefined
  }
}

/**
 * Start the peak over again from the current RSS (Linux: "5" to /proc/PID/clear_refs), so that
 * a peak read later is the measurement's, not start-up's (tsx compiling). False if not allowed.
 */
export function resetPeakRss(pid: number | undefined): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

/** SIGKILL the process group: the bench needs no graceful shutdown, only a sure one. */
export function killProcess(started: Started, signal: NodeJS.Signals = 'SIGKILL'): void {
  const pid = started.child.pid
  if (pid === undefined || started.child.exitCode !== null || started.child.signalCode !== null) return
  try {
    process.kill(-pid, signal)
  } catch {
    // already gone
  }
}

export async function stopProcess(started: Started, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  killProcess(started, signal)
  const timer = setTimeout(() => killProcess(started), 3_000) // a SIGTERM that is ignored
  await started.exited
  clearTimeout(timer)
}

/** Kill whatever is still running; safe to call from an exit handler (synchronous). */
export function killAll(): number {
  const count = running.size
  for (const child of running) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  running.clear()
  return count
}

/** On exit, Ctrl-C or SIGTERM: no server or load generator outlives the bench. */
export function killChildrenOnExit(log: (line: string) => void): void {
  process.on('exit', () => killAll())
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      log(`\n${signal}: stopping ${killAll()} child process(es)`)
      process.exit(130)
    })
  }
}
