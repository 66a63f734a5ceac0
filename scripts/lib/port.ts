// Waiting for a server to open its port: the one way the scripts and the test kit do it.

import net from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

const POLL_MS = 50

/** True when a TCP connection to host:port succeeds (and is closed again at once). */
export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/**
 * Poll until host:port accepts a connection. False after `timeoutMs`, or as soon as `gaveUp()`
 * says the server is gone (it exited before listening).
 */
export async function waitForPort(host: string, port: number, timeoutMs: number, gaveUp: () => boolean = () => false): Promise<boolean> {
  const started = Date.now()
  while (!(await canConnect(host, port))) {
    if (gaveUp() || Date.now() - started > timeoutMs) return false
    await sleep(POLL_MS)
  }
  return true
}

/** Try to listen where a server will, and close again: a clear line beats a stack trace. `retry` is the command to suggest with another port. */
export function whyCannotListen(host: string, port: number, retry: (otherPort: number) => string): Promise<string | undefined> {
  const suggestion = retry(port === 9001 ? 9002 : 9001)
  return new Promise((resolve) => {
    const probe = net.createServer()
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(`Port ${port} is in use (another server?). Stop it, or pick another: ${suggestion}`)
      else if (error.code === 'EACCES') resolve(`Port ${port} needs special permission here. Pick one above 1023: ${suggestion}`)
      else resolve(`Cannot listen on ${host}:${port} (${error.code ?? error.message}). Check --host: the default is 127.0.0.1.`)
    })
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(undefined)))
  })
}

/** The address to connect to for a server listening on `host` (a wildcard is reached on loopback). */
export function connectHost(host: string): string {
  return host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host
}
