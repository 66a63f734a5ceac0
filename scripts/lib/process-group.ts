// Stopping a child started with `detached: true` together with everything it started (a suite's
// vitest workers and their servers, a server's own children): a signal to its process group.

/** Send `signal` to the process group led by `pid`; a group that has already ended is no error. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, signal)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}
