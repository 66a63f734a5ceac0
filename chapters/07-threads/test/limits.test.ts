// Chapter 07, black-box: a bound on open connections (503 over it) and a timeout for a client
// that stops sending (408). The limits are set small for the test through the environment:
// MAX_CONNECTIONS=4 and REQUEST_TIMEOUT_MS=500 (your server should read them too).

import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RawClient, exchange, expectClosed, expectResponse, hint, repoRoot, serverHasRead, startServer, type RunningServer } from '../../../scripts/kit/index.ts'

const ROOT = path.join(repoRoot, 'chapters', '07-threads', 'resources')
const USERS = path.join(repoRoot, 'chapters', '07-threads', 'users.json')
const GET = 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'
const LOGIN_BODY = JSON.stringify({ username: 'dongdong', password: 'let-me-in' })
const LOGIN = `POST /api/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${LOGIN_BODY.length}\r\n\r\n${LOGIN_BODY}`

let server: RunningServer
beforeAll(async () => {
  server = await startServer({ reference: 'chapters/07-threads', root: ROOT, users: USERS, env: { MAX_CONNECTIONS: '4', REQUEST_TIMEOUT_MS: '500', THREADS: '1' } })
})
afterAll(() => server?.stop())
afterEach(() => RawClient.destroyAll())

describe('the connection bound', hint('chapters/07-threads/README.md#a-bound-on-open-connections'), () => {
  it('over MAX_CONNECTIONS, a client gets 503 with Retry-After, and the connection closes', async () => {
    const holders = await Promise.all(Array.from({ length: 4 }, () => RawClient.connect(server.port)))
    await Promise.all(holders.map((client) => client.send('GET / HTTP/1.1\r\n'))) // in flight, unfinished
    const refused = await exchange(server.port, GET)
    expectResponse(refused, {
      status: 503,
      headers: { 'retry-after': /^\d+$/ },
      why: 'Four connections are in flight and the bound is four: the fifth is refused with 503 and told when to retry (RFC 9110 §10.2.3).',
    })
    await expectClosed(refused.client)
    holders.forEach((client) => client.destroy())
  })

  it('once connections close, new clients are served again', async () => {
    let status = 0
    for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
      const ex = await exchange(server.port, GET)
      status = ex.response.status
      if (status !== 200) await sleep(100) // the server notices the closes on its own schedule
      if (attempt === 19) expectResponse(ex, { status: 200, why: 'The four holders are gone; the bound must free up.' })
    }
  })
})

describe('the request timeout', hint('chapters/07-threads/README.md#a-timeout'), () => {
  it('a client that stops sending mid-request gets 408 and the connection closes', async () => {
    const client = await RawClient.connect(server.port)
    await client.send('GET / HTTP/1.1\r\nHost: loc')
    const response = await client.readResponse()
    if (response.status !== 408) expectResponse({ client, response }, { status: 408, why: 'RFC 9110 §15.5.9: 408 when the client did not finish its request in time.' })
    await expectClosed(client, 'After a 408 the server closes the connection.')
  })

  it('a login that waits for a worker longer than the timeout is still answered: the wait is ours, not the client\'s', async () => {
    // One thread, sixteen logins, a 400 ms timeout: the last login waits for fifteen hashes, far longer.
    const busy = await startServer({ reference: 'chapters/07-threads', root: ROOT, users: USERS, env: { REQUEST_TIMEOUT_MS: '400', THREADS: '1' } })
    try {
      // Each login is sent as soon as its connection is open: an idle connection may be closed at 400 ms, and a busy host can take that long to open them all.
      const clients = await Promise.all(Array.from({ length: 16 }, async () => {
        const client = await RawClient.connect(busy.port)
        await client.send(LOGIN)
        return client
      }))
      const statuses = await Promise.all(clients.map(async (client) => (await client.readResponse({ timeoutMs: 30_000 })).status))
      expect(statuses, 'Every login gets its answer; a client that sent its whole request is not timed out').toEqual(Array(16).fill(200))
    } finally {
      await busy.stop()
    }
  })

  it('a request whose bytes came in time is answered, even when the server stalled past the timeout before reading them', async () => {
    const client = await RawClient.connect(server.port)
    await client.send('GET / HTTP/1.1\r\n')
    await serverHasRead(server.port, GET)
    server.freeze() // a stall: a starved host, a long GC pause
    try {
      await client.send('Host: localhost\r\n\r\n') // the kernel takes it in for the stopped server
      await sleep(1_500) // three times the 500 ms timeout
    } finally {
      server.thaw()
    }
    expectResponse({ client, response: await client.readResponse() }, {
      status: 200,
      why: 'The rest of the request was in the server\'s socket buffer before the timeout, only unread: the server stood still, not the client. Look at what has arrived before you call a client slow (in Node, timers run before sockets are read).',
    })
  })

  it('the server still serves after the timeout', async () => {
    expectResponse(await exchange(server.port, GET), { status: 200 })
  })
})
