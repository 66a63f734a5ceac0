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
