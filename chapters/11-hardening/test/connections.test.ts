// Chapter 11, black-box: connections. Pipelines, half-closes, clients that vanish or stop reading,
// hundreds of slow or idle clients, and an upload refused without being read. Where a resource
// could leak, the server's open file descriptors are counted (Linux /proc).

import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { RawClient, expectResponse, header, hint } from '../../../scripts/kit/index.ts'
import { allAnswers, eventually, get, heldConnections, openDescriptors, serveChapter } from './wire.ts'

const HEADERS_TIMEOUT_MS = 4_000 // the dribblers below must outlast their own setup, then be cut off
const served = serveChapter({
  HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
  KEEP_ALIVE_TIMEOUT_MS: '1500', // long enough for the 1000 idle connections below to be idle together
  REQUEST_TIMEOUT_MS: '1000',
  MAX_CONNECTIONS: '2000',
})
const BIG_FILE = '/big.bin'
const BIG_BYTES = 64 * 1024 * 1024 // far more than the socket buffers on both sides hold: a reader that stops stalls the server mid-file
const MEDIUM_FILE = '/medium.bin'
const MEDIUM_BYTES = 1024 * 1024 // many writes long: still being sent when the client's FIN arrives
beforeAll(() => {
  writeFileSync(path.join(served.site.root, BIG_FILE.slice(1)), Buffer.alloc(BIG_BYTES, 'x'))
  writeFileSync(path.join(served.site.root, MEDIUM_FILE.slice(1)), Buffer.alloc(MEDIUM_BYTES, 'm'))
})

/** Connections the server process still holds, and the files of the site it has open (Linux /proc). */
const connectionsHeld = () => heldConnections(served.server.process.pid!, served.port)
const filesHeld = () => openDescriptors(served.server.process.pid!)?.filter((target) => target.startsWith(served.site.base)) ?? []

/** Wait until the server holds no connection and no file of the site. */
async function expectDescriptorsReleased(why: string): Promise<void> {
  if (connectionsHeld() === undefined) return // no /proc here: the connection checks still ran
  const released = await eventually(() => connectionsHeld() === 0 && filesHeld().length === 0)
  expect(released, `${why} The server still holds ${connectionsHeld()} connection(s) and these files: ${JSON.stringify(filesHeld())}.`).toBe(true)
}

/** Open n connections, a batch at a time (the listen backlog is finite), each started by `start` at once. */
async function connectMany(n: number, start: (client: RawClient) => Promise<void>, batch = 100): Promise<RawClient[]> {
  const clients: RawClient[] = []
  while (clients.length < n) {
    const size = Math.min(batch, n - clients.length)
    clients.push(
      ...(await Promise.all(
        Array.from({ length: size }, async () => {
          const client = await RawClient.connect(served.port)
          await start(client)
          return client
        }),
      )),
    )
  }
  return clients
}

describe('connections', hint('chapters/08-keep-alive/README.md#pipelining'), () => {
  it('a pipeline of mixed requests, with bodies, errors and a HEAD, is answered in order', async () => {
    const client = await RawClient.connect(served.port)
    await client.send(
      get('/notes.txt') +
        'POST /api/logout HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}' +
        get('/missing') +
        'HEAD /style.css HTTP/1.1\r\nHost: localhost\r\n\r\n' +
        'BREW /pot HTTP/1.1\r\nHost: localhost\r\n\r\n' +
        get('/app.js'),
    )
    const why = 'RFC 9112 §9.3.2: a server MUST send its responses in the same order as the requests were received.'
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: served.site.files.get('/notes.txt')!, why })
    expectResponse({ client, response: await client.readResponse() }, { status: 200, headers: { 'set-cookie': /sid=;/ }, why })
    expectResponse({ client, response: await client.readResponse() }, { status: 404, why })
    expectResponse({ client, response: await client.readResponse({ head: true }) }, { status: 200, headers: { 'content-length': String(served.site.files.get('/style.css')!.length) }, why })
    expectResponse({ client, response: await client.readResponse() }, { status: 501, why })
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: served.site.files.get('/app.js')!, why })
    client.destroy()
  })

  it('a malformed request in the middle of a pipeline: those before it answered in order, it gets 400, nothing after it', async () => {
    const { client, responses } = await allAnswers(served.port, get('/notes.txt') + get('/style.css') + 'GET /app.js HTTP/1.1\r\nHost : x\r\n\r\n' + get('/data.json'))
    const why = 'RFC 9112 §9.3.2: responses in request order; after a request it cannot frame, the server answers 400 and closes (RFC 9112 §6.3), so the one after is never read.'
    expect(responses.map((response) => response.status), why).toEqual([200, 200, 400])
    expectResponse({ client, response: responses[2]! }, { headers: { connection: 'close' }, why })
  })

  it('a pipeline of 1000 requests in one write is answered in full, in order', async () => {
    const files = ['/notes.txt', '/style.css', '/app.js', '/data.json']
    const { client, responses } = await allAnswers(served.port, Array.from({ length: 1000 }, (_, i) => get(files[i % 4]!, i === 999 ? 'Connection: close\r\n' : '')).join(''))
    const why = 'RFC 9112 §9.3.2: every pipelined request is answered, in order, however many arrive at once; the server reads more only as it writes (back-pressure).'
    expect(responses.length, why).toBe(1000)
    responses.forEach((response, i) => expectResponse({ client, response }, { status: 200, body: served.site.files.get(files[i % 4]!)!, why }))
  })

  it('"Connection: keep-alive, CLOSE": the close token in a list, in any case, ends the connection after that response', hint('chapters/08-keep-alive/README.md#who-closes-and-when'), async () => {
    const { client, responses } = await allAnswers(served.port, get('/notes.txt', 'Connection: keep-alive, CLOSE\r\n') + get('/style.css'))
    const why = 'RFC 9112 §9.6: "close" in Connection (a case-insensitive token list, RFC 9110 §7.6.1) means this is the last response; the request after it is not processed.'
    expect(responses.length, why).toBe(1)
    expectResponse({ client, response: responses[0]! }, { status: 200, headers: { connection: 'close' }, why })
  })

  it('a request with every CR and every LF in a write of its own is answered', hint('chapters/02-stream-handler/README.md#one-buffer-and-the-leftovers-stay-in-it'), async () => {
    const request = 'GET /notes.txt HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n'
    const cuts = [...request].flatMap((char, i) => (char === '\r' || char === '\n' ? [i, i + 1] : []))
    const client = await RawClient.connect(served.port)
    await client.sendSplit(request, [...new Set(cuts)])
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: served.site.files.get('/notes.txt')!, why: 'TCP may cut a request anywhere, even between CR and LF; the parser must wait for the rest.' })
    client.destroy()
  })

  it('half-close: the client sends its request and then FIN; it still gets the whole response', hint('chapters/01-tcp-echo/README.md#closing-fin-and-why-we-keep-reading'), async () => {
    const client = await RawClient.connect(served.port)
    const sent = client.send(get('/notes.txt'))
    client.endWriting() // the FIN follows the request at once, as from `printf ... | nc`
    await sent
    const data = await client.readUntilClose()
    expect(data.toString('latin1'), 'RFC 9293 §3.6: a FIN means "I have no more to send"; the side that sent it goes on receiving. A client that has sent its request may close its sending side and still read the response. (`printf ... | nc` does exactly this.)').toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(data.subarray(data.indexOf('\r\n\r\n') + 4).equals(served.site.files.get('/notes.txt')!), 'the whole file arrives').toBe(true)
  })

  it('half-close after a pipeline with a large file in it: every response arrives, then the close', hint('chapters/01-tcp-echo/README.md#closing-fin-and-why-we-keep-reading'), async () => {
    const client = await RawClient.connect(served.port)
    const sent = client.send(get('/notes.txt') + get(MEDIUM_FILE) + get('/style.css'))
    client.endWriting()
    await sent
    const why = 'RFC 9293 §3.6: after the client\'s FIN the server answers what it was asked, then closes.'
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: served.site.files.get('/notes.txt')!, why })
    const medium = await client.readResponse()
    expect(medium.body.length, why).toBe(MEDIUM_BYTES)
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: served.site.files.get('/style.css')!, why })
    expect(await client.waitForClose(), 'then the server closes: the client said it will send nothing more').toBe(true)
  })

  it('clients that vanish mid-response (FIN or reset) leave no file descriptor behind', hint('chapters/05-static-files/README.md#streaming-and-back-pressure'), async () => {
    await expectDescriptorsReleased('Before: the earlier tests\' connections are gone.')
    for (let i = 0; i < 20; i++) {
      const client = await RawClient.connect(served.port)
      await client.send(get(BIG_FILE))
      await client.readBytes(1024) // the response has started
      if (i % 2 === 0) client.destroy()
      else client.socket.resetAndDestroy()
    }
    await expectDescriptorsReleased('Each vanished client held a socket and an open file; both must be closed once the client is gone.')
    const { client, responses } = await allAnswers(served.port, get('/notes.txt', 'Connection: close\r\n'))
    expectResponse({ client, response: responses[0]! }, { status: 200, why: 'The server goes on serving.' })
  })

  it('a client that stops reading mid-response is cut off after --request-timeout, its socket and file closed', hint('chapters/11-hardening/README.md#deadlines-not-idle-timers'), async () => {
    await expectDescriptorsReleased('Before: the earlier tests\' connections are gone.')
    const client = await RawClient.connect(served.port)
    await client.send(get(BIG_FILE))
    await client.readBytes(1024)
    client.socket.pause() // stop reading: the socket buffers fill, the server's writes stall
    // While the response is stalled the server holds the connection and the file. On a loaded
    // machine the timeout may already have struck by now: then there is nothing left to see here.
    const files = filesHeld()
    if (connectionsHeld() === 1) expect(files, 'While the response is stalled the server holds the file').toEqual([expect.stringContaining('big.bin')])
    // A paused client cannot see the close, so the server's side is what is checked.
    await expectDescriptorsReleased('REQUEST_TIMEOUT_MS=1000: a reader that stalls is cut off, as with Node\'s server.timeout, and its file is closed.')
    client.destroy()
  })

  it('500 clients dribbling their heads a byte a second do not stop a normal client from being served, and are cut off with 408', hint('chapters/11-hardening/README.md#deadlines-not-idle-timers'), async () => {
    const head = 'GET /notes.txt HTTP/1.1\r\nHost: localhost\r\nX-Slow: zzzzzzzzzzzzzzzzzzzzzzzz\r\n\r\n'
    const dribblers = await connectMany(500, (client) => client.send(head[0]!))
    let sent = 0
    const timer = setInterval(() => {
      sent++
      for (const client of dribblers) if (!client.isClosed && sent < head.length) client.send(head[sent]!).catch(() => {})
    }, 1_000)
    try {
      const { client, responses } = await allAnswers(served.port, get('/notes.txt', 'Connection: close\r\n'))
      expectResponse({ client, response: responses[0]! }, { status: 200, body: served.site.files.get('/notes.txt')!, why: 'Slow clients wait on their own timers; they must not hold up anyone else (slowloris).' })
      const closedEarly = dribblers.filter((dribbler) => dribbler.isClosed).length
      expect(closedEarly, `The normal client was answered while the 500 slow ones were still connected (HEADERS_TIMEOUT_MS=${HEADERS_TIMEOUT_MS}); ${closedEarly} had already been closed`).toBe(0)
      const allClosed = await eventually(() => dribblers.every((dribbler) => dribbler.isClosed), HEADERS_TIMEOUT_MS + 5_000)
      expect(allClosed, 'Every slow client is closed once its head is past HEADERS_TIMEOUT_MS, however busy it keeps the line').toBe(true)
      for (const dribbler of dribblers) {
        const answer = dribbler.received.toString('latin1')
        if (answer !== '') expect(answer, 'A slow client gets 408 Request Timeout (RFC 9110 §15.5.9), or is closed without a word').toMatch(/^HTTP\/1\.1 408 /)
      }
    } finally {
      clearInterval(timer)
      dribblers.forEach((dribbler) => dribbler.destroy())
    }
  })

  it('1000 idle kept-alive connections are all reclaimed by the keep-alive timeout', hint('chapters/11-hardening/README.md#deadlines-not-idle-timers'), async () => {
    await expectDescriptorsReleased('Before: the earlier tests\' connections are gone.')
    const clients = await connectMany(1000, async (client) => {
      await client.send(get('/notes.txt'))
      const response = await client.readResponse()
      expect(header(response, 'connection'), 'kept alive after the response').toBeUndefined()
    })
    const closed = await Promise.all(clients.map((client) => client.waitForClose(10_000)))
    expect(closed.filter((isClosed) => !isClosed).length, 'KEEP_ALIVE_TIMEOUT_MS=1500: an idle connection is closed by the server; none may be left open').toBe(0)
    expect(clients.every((client) => client.received.toString('latin1').match(/HTTP\/1\.1 /g)!.length === 1), 'Closing an idle connection sends nothing (no 408 to a client that asked nothing)').toBe(true)
    clients.forEach((client) => client.destroy())
    await expectDescriptorsReleased('The server must release every idle connection it closed.')
  })

  it('a 1 GiB declared upload is answered 413 at once and is not read', hint('chapters/06-login-post/README.md#reading-the-body-one-status-for-each-way-it-can-be-wrong'), async () => {
    const client = await RawClient.connect(served.port)
    await client.send('POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1073741824\r\n\r\n')
    const response = await client.readResponse()
    expectResponse({ client, response }, { status: 413, headers: { connection: 'close' }, why: 'RFC 9110 §15.5.14: 413 from the declared length, before any of the body is sent.' })
    // Now send the body anyway, and count what the server takes before it closes the connection.
    const chunk = Buffer.alloc(1024 * 1024, 'u')
    const cap = 256 * 1024 * 1024 // the server would take this much in well under a second if it read
    let accepted = 0
    while (accepted < cap && !client.socket.destroyed && !client.socket.writableEnded) {
      const ok = await new Promise<boolean>((resolve) => client.socket.write(chunk, (error) => resolve(!error)))
      if (!ok) break
      accepted += chunk.length
    }
    expect(accepted, 'The server must not read a body it refused: it closes (after a short linger) and the client\'s writes fail long before the gigabyte').toBeLessThan(cap)
    client.destroy()
  })

  it('the server still answers a good request after all that', async () => {
    const { client, responses } = await allAnswers(served.port, get('/notes.txt', 'Connection: close\r\n'))
    expectResponse({ client, response: responses[0]! }, { status: 200, body: served.site.files.get('/notes.txt')!, why: 'No connection may hurt the server.' })
  })
})
