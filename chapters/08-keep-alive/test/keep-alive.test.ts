// Chapter 08, black-box: persistent connections (RFC 9112 §9.3). Several requests on one
// connection, in turn and pipelined; who closes and when; the idle timeout between requests
// (KEEP_ALIVE_TIMEOUT_MS=500 here; your server should read it too); shutdown. Order and outcome
// are checked, never durations.

import net from 'node:net'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RawClient, createSite, exchange, expectClosed, expectResponse, explain, header, hint, repoRoot, serverHasRead, startServer, type FixtureSite, type RunningServer } from '../../../scripts/kit/index.ts'

const USERS = path.join(repoRoot, 'chapters', '08-keep-alive', 'users.json')
const LOGIN_BODY = JSON.stringify({ username: 'dongdong', password: 'let-me-in' })
const LOGIN = `POST /api/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${LOGIN_BODY.length}\r\n\r\n${LOGIN_BODY}`
const LOGIN_WAIT_MS = 30_000 // a password hash is slow by design

let site: FixtureSite
let server: RunningServer
beforeAll(async () => {
  site = createSite()
  server = await startServer({ reference: 'chapters/08-keep-alive', root: site.root, users: USERS, env: { KEEP_ALIVE_TIMEOUT_MS: '500' } })
})
afterAll(async () => {
  await server?.stop()
  site?.cleanup()
})
afterEach(() => RawClient.destroyAll())

const get = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`
const file = (target: string) => site.files.get(target)!

/** How many responses the client has received in all, counted by their status lines. */
function responsesReceived(client: RawClient): number {
  return client.received.toString('latin1').match(/(^|\r\n)HTTP\/1\.[01] \d{3} /g)?.length ?? 0
}

describe('persistent connections', hint('chapters/08-keep-alive/README.md#persistent-connections'), () => {
  it('HTTP/1.1 keeps the connection open: three requests, one connection, in turn', async () => {
    const client = await RawClient.connect(server.port)
    for (const target of ['/notes.txt', '/style.css', '/index.html']) {
      await client.send(get(target))
      const response = await client.readResponse()
      expectResponse({ client, response }, {
        status: 200,
        body: file(target),
        headers: { connection: null },
        why: 'RFC 9112 §9.3: an HTTP/1.1 connection persists unless one side says "close"; the answer says nothing of closing, and the next request goes on the same connection.',
      })
    }
    if (client.isClosed) throw new Error(explain(client, 'RFC 9112 §9.3: nobody asked to close.', ['the connection still open after three requests'], ['the server closed it']))
  })

  it('a login, then a GET on the same connection: the session cookie works across requests', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(LOGIN)
    const login = await client.readResponse({ timeoutMs: LOGIN_WAIT_MS })
    expectResponse({ client, response: login }, { status: 200, headers: { connection: null, 'set-cookie': /=/ }, why: 'A login with a body read whole keeps the connection (RFC 9112 §9.3).' })
    const cookie = header(login, 'set-cookie')!.split(';')[0]!.trim()
    await client.send(get('/api/me', `Cookie: ${cookie}\r\n`))
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: /dongdong/, why: 'The second request on the connection is read from where the login\'s body ended.' })
  })
})

describe('who closes, and when', hint('chapters/08-keep-alive/README.md#who-closes-and-when'), () => {
  it('Connection: close is honoured: the answer says close, the connection closes, nothing after it is processed', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(get('/notes.txt', 'Connection: close\r\n') + get('/style.css'))
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: file('/notes.txt'), headers: { connection: 'close' }, why: 'RFC 9112 §9.6: a server that will close says "Connection: close" in its last response.' })
    const rest = await client.readUntilClose()
    if (rest.length > 0) throw new Error(explain(client, 'RFC 9112 §9.6: after a request with "close", the connection ends with its response.', ['no second response'], [`${rest.length} more bytes came back`]))
  })

  it('HTTP/1.0 closes after the response unless it asks for keep-alive, and then the answer says keep-alive', async () => {
    const closing = await RawClient.connect(server.port)
    await closing.send('GET /notes.txt HTTP/1.0\r\n\r\n')
    expectResponse({ client: closing, response: await closing.readResponse() }, { status: 200, body: file('/notes.txt') })
    await expectClosed(closing, 'RFC 9112 §9.3: an HTTP/1.0 connection closes after the response unless keep-alive was asked for.')

    const keeping = await RawClient.connect(server.port)
    await keeping.send('GET /notes.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
    expectResponse({ client: keeping, response: await keeping.readResponse() }, {
      status: 200,
      headers: { connection: /^keep-alive$/i },
      why: 'RFC 9112 Appendix C.2.2: an HTTP/1.0 client that asks for keep-alive keeps the connection only if the answer says "Connection: keep-alive" too.',
    })
    await keeping.send('GET /style.css HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
    expectResponse({ client: keeping, response: await keeping.readResponse() }, { status: 200, body: file('/style.css'), why: 'The second HTTP/1.0 request goes on the kept connection.' })
  })
})

describe('after an error', hint('chapters/08-keep-alive/README.md#after-an-error'), () => {
  it('a 404 keeps the connection: the request was read whole', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(get('/missing'))
    expectResponse({ client, response: await client.readResponse() }, { status: 404, headers: { connection: null }, why: 'RFC 9112 §9.3: the request was read to its end, so the next one starts right after it; no reason to close.' })
    await client.send(get('/notes.txt'))
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: file('/notes.txt') })
  })

  it('a malformed request closes the connection: where the next request starts is unknown', async () => {
    const client = await RawClient.connect(server.port)
    await client.send('GET / HTTP/1.1\r\nHost : x\r\n\r\n' + get('/notes.txt'))
    expectResponse({ client, response: await client.readResponse() }, { status: 400, headers: { connection: 'close' }, why: 'RFC 9112 §9.6: after a request that could not be read, the server says "close" and closes.' })
    await expectClosed(client, 'RFC 9112 §9.3: after a 400 the rest of the bytes cannot be trusted to start a request.')
    expect(responsesReceived(client), 'One response only: the request after the malformed one is not answered').toBe(1)
  })
})

describe('the idle timeout', hint('chapters/08-keep-alive/README.md#the-idle-timeout'), () => {
  it('an idle connection is closed after the keep-alive timeout (500 ms here), without a response', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(get('/notes.txt'))
    expectResponse({ client, response: await client.readResponse() }, { status: 200 })
    await expectClosed(client, 'KEEP_ALIVE_TIMEOUT_MS=500: a connection idle that long between requests is closed by the server (RFC 9112 §9.5).')
    if (responsesReceived(client) !== 1) {
      throw new Error(explain(client, 'RFC 9112 §9.5: a connection that asked nothing more is closed without a word; a 408 there could be read as the answer to a request the client sends just then.', ['exactly one response, then the close'], [`${responsesReceived(client)} responses came back`]))
    }
  })
})

describe('pipelining', hint('chapters/08-keep-alive/README.md#pipelining'), () => {
  it('five requests in one write are answered in order', async () => {
    const targets = ['/notes.txt', '/style.css', '/missing', '/app.js', '/data.json']
    const client = await RawClient.connect(server.port)
    await client.send(targets.map((target) => get(target)).join(''))
    for (const target of targets) {
      const expected = site.files.get(target)
      expectResponse({ client, response: await client.readResponse() }, {
        ...(expected ? { status: 200, body: expected } : { status: 404 }),
        why: `RFC 9112 §9.3.2: pipelined requests are answered in the order they came; this one was ${target}.`,
      })
    }
  })

  it('requests split at awkward places, and one byte at a time, are answered in order', async () => {
    const requests = get('/notes.txt') + get('/style.css') + get('/app.js')
    const targets = ['/notes.txt', '/style.css', '/app.js']
    const first = get('/notes.txt').length
    // Inside a request line, between CR and LF, right at a request's end, one byte into the next.
    for (const send of [[7, first - 1, first, first + 1, first + 30], 'bytewise'] as const) {
      const client = await RawClient.connect(server.port)
      if (send === 'bytewise') await client.sendBytewise(requests)
      else await client.sendSplit(requests, [...send])
      for (const target of targets) {
        expectResponse({ client, response: await client.readResponse() }, { status: 200, body: file(target), why: `RFC 9112 §9.3.2: the requests are answered in order, however TCP splits them (sent ${send === 'bytewise' ? 'one byte at a time' : `cut at ${send.join(', ')}`}).` })
      }
      client.destroy()
    }
  })

  it('a HEAD in the middle of a pipeline has no body and does not shift the responses after it', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(get('/notes.txt') + 'HEAD /style.css HTTP/1.1\r\nHost: localhost\r\n\r\n' + get('/app.js'))
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: file('/notes.txt') })
    const head = await client.readResponse({ head: true })
    expectResponse({ client, response: head }, { status: 200, headers: { 'content-length': String(file('/style.css').length) }, why: 'RFC 9110 §9.3.2: HEAD answers with GET\'s headers.' })
    expectResponse({ client, response: await client.readResponse() }, {
      status: 200,
      body: file('/app.js'),
      why: 'RFC 9110 §9.3.2: a HEAD response has no body; a body sent after it would be read as the start of the next response.',
    })
  })
})

describe('limits and shutdown', hint('chapters/08-keep-alive/README.md#limits-and-shutdown'), () => {
  it('a connection kept open and idle does not hold up another client', async () => {
    const idle = await RawClient.connect(server.port)
    await idle.send(get('/notes.txt'))
    expectResponse({ client: idle, response: await idle.readResponse() }, { status: 200 })
    const other = await exchange(server.port, get('/style.css'))
    expectResponse(other, { status: 200, body: file('/style.css'), why: 'While one connection waits, kept alive, for its next request, the server goes on serving others.' })
  })

  it('SIGTERM: an idle kept-alive connection is closed, the request in flight is answered with Connection: close, then exit code 0', async () => {
    // A long keep-alive timeout, so that only the shutdown can close the idle connection in time.
    const stopping = await startServer({ reference: 'chapters/08-keep-alive', root: site.root, users: USERS, env: { KEEP_ALIVE_TIMEOUT_MS: '60000', THREADS: '1' } })
    try {
      const idle = await RawClient.connect(stopping.port)
      await idle.send(get('/notes.txt'))
      expectResponse({ client: idle, response: await idle.readResponse() }, { status: 200 })
      const inFlight = await RawClient.connect(stopping.port)
      await inFlight.send(get('/notes.txt'))
      expectResponse({ client: inFlight, response: await inFlight.readResponse() }, { status: 200 })
      const second = get('/style.css')
      await inFlight.send(second.slice(0, 20)) // the second request has begun
      await serverHasRead(stopping.port, get('/notes.txt'))
      const exited = stopping.stop('SIGTERM')
      await expectClosed(idle, 'At shutdown, a connection waiting for its next request has nothing in flight: it is closed at once.')
      expect(responsesReceived(idle), 'Nothing is sent to the idle connection as it is closed').toBe(1)
      await waitUntilRefused(stopping.port)
      await inFlight.send(second.slice(20))
      expectResponse({ client: inFlight, response: await inFlight.readResponse() }, {
        status: 200,
        body: file('/style.css'),
        headers: { connection: 'close' },
        why: 'RFC 9112 §9.6: the request in flight at shutdown is answered, and its response says it is the last.',
      })
      await expectClosed(inFlight)
      const { code, signal } = await exited
      expect({ code, signal }, `The server exits on its own with code 0 once nothing is in flight. It printed:\n${stopping.output()}`).toEqual({ code: 0, signal: null })
    } finally {
      await stopping.stop('SIGKILL')
    }
  })
})

/** After SIGTERM, new connections are refused once the listener is closed. */
async function waitUntilRefused(port: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(false)
      })
      socket.once('error', () => resolve(true))
    })
    if (refused) return
    await sleep(100)
  }
  throw new Error('After SIGTERM the server still accepts new connections')
}
