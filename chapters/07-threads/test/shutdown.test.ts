// Chapter 07, black-box: on SIGTERM the server stops accepting, finishes what is in flight, and
// exits 0.

import net from 'node:net'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { RawClient, hint, repoRoot, serverHasRead, startServer } from '../../../scripts/kit/index.ts'

const ROOT = path.join(repoRoot, 'chapters', '07-threads', 'resources')
const USERS = path.join(repoRoot, 'chapters', '07-threads', 'users.json')
const GET = 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(true))
  })
}

describe('graceful shutdown', hint('chapters/07-threads/README.md#graceful-shutdown'), () => {
  it('SIGTERM: new connections are refused, the request in flight is answered, then exit code 0', async () => {
    const server = await startServer({ reference: 'chapters/07-threads', root: ROOT, users: USERS, env: { THREADS: '1' } })
    try {
      const inFlight = await RawClient.connect(server.port)
      await inFlight.send(GET.slice(0, 16)) // the request has begun
      await serverHasRead(server.port, GET)
      const exited = server.stop('SIGTERM')
      let refused = false
      for (let i = 0; i < 50 && !refused; i++) {
        refused = await refusesConnections(server.port)
        if (!refused) await sleep(100)
      }
      expect(refused, 'After SIGTERM the server stops accepting new connections').toBe(true)
      await inFlight.send(GET.slice(16))
      const response = await inFlight.readResponse()
      expect(response.status, 'The request that was in flight when the signal came is still answered').toBe(200)
      const { code, signal } = await exited
      expect({ code, signal }, `The server exits on its own with code 0 once nothing is in flight. It printed:\n${server.output()}`).toEqual({ code: 0, signal: null })
    } finally {
      await server.stop('SIGKILL')
    }
  })
})
