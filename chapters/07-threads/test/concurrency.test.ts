// Chapter 07, black-box: one slow client or a few slow logins no longer hold up everyone else.
// These tests check order and outcome ("the fast request finished first"), never durations.

import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RawClient, exchange, expectResponse, hint, repoRoot, startServer, type RunningServer } from '../../../scripts/kit/index.ts'

const ROOT = path.join(repoRoot, 'chapters', '07-threads', 'resources')
const USERS = path.join(repoRoot, 'chapters', '07-threads', 'users.json')
const LOGIN_BODY = JSON.stringify({ username: 'dongdong', password: 'let-me-in' })
const LOGIN = `POST /api/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${LOGIN_BODY.length}\r\n\r\n${LOGIN_BODY}`
const GET = 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'
// Hashing is slow by design, and 20 of them on a busy 2-core machine take a while: wait longer.
const LOGIN_WAIT_MS = 30_000

let server: RunningServer
beforeAll(async () => {
  server = await startServer({ reference: 'chapters/07-threads', root: ROOT, users: USERS, env: { THREADS: '2' } })
})
afterAll(() => server?.stop())
afterEach(() => RawClient.destroyAll())

describe('a slow client does not block the others', hint('chapters/07-threads/README.md#step-1-concurrency-stop-waiting-for-each-connection'), () => {
  it('while one client dribbles its request, another client\'s GET is answered', async () => {
    const slow = await RawClient.connect(server.port)
    await slow.send(GET.slice(0, 20)) // half a request, and then nothing for a while
    const fast = await exchange(server.port, GET)
    expectResponse(fast, { status: 200, why: 'A serial accept loop would still be waiting for the slow client to finish its request.' })
    expect(slow.received.length, 'The slow client has not finished its request, so it has no answer yet').toBe(0)
    await slow.send(GET.slice(20))
    const late = await slow.readResponse()
    expect(late.status, 'The slow client is answered once its request is complete').toBe(200)
  })

  it('a client that connects and says nothing does not block the others', async () => {
    const silent = await RawClient.connect(server.port)
    expectResponse(await exchange(server.port, GET), { status: 200 })
    silent.destroy()
  })
})

describe('password hashing does not block the event loop', hint('chapters/07-threads/README.md#step-2-parallelism-move-the-hash-off-the-event-loop'), () => {
  it('while six logins are hashing, a static GET sent after them is answered before the last login', async () => {
    const finished: string[] = []
    const logins = await Promise.all(Array.from({ length: 6 }, () => RawClient.connect(server.port)))
    await Promise.all(logins.map((client) => client.send(LOGIN)))
    const loginsDone = logins.map(async (client, i) => {
      const response = await client.readResponse({ timeoutMs: LOGIN_WAIT_MS })
      finished.push(`login ${i}`)
      return response
    })
    const get = await exchange(server.port, GET)
    finished.push('GET')
    const responses = await Promise.all(loginsDone)
    expect(get.response.status).toBe(200)
    expect(responses.map((r) => r.status), 'Every login succeeds').toEqual(Array(6).fill(200))
    expect(
      finished.indexOf('GET'),
      `Finishing order: ${finished.join(', ')}. The GET came after the logins but needs no hashing: with the hash on worker threads it is answered while they work.`,
    ).toBeLessThan(finished.length - 1)
  })

  it('twenty logins at once all succeed', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, () => RawClient.connect(server.port)))
    await Promise.all(clients.map((client) => client.send(LOGIN)))
    const statuses = await Promise.all(clients.map(async (client) => (await client.readResponse({ timeoutMs: LOGIN_WAIT_MS })).status))
    expect(statuses, 'Each of 20 concurrent logins gets 200').toEqual(Array(20).fill(200))
  })
})
