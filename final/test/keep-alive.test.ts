// final/, black-box: persistent connections (RFC 9112 §9.3), pipelining (§9.3.2), Connection:
// close, HTTP/1.0, and the idle timeout that reclaims a kept-alive connection.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RawClient, createSite, expectClosed, expectResponse, header, hint, startServer, type FixtureSite, type RunningServer } from '../../scripts/kit/index.ts'

let site: FixtureSite
let server: RunningServer
beforeAll(async () => {
  site = createSite()
  server = await startServer({ reference: 'final', root: site.root, env: { KEEP_ALIVE_TIMEOUT_MS: '500' }, args: ['--quiet'] })
})
afterAll(async () => {
  await server?.stop()
  site?.cleanup()
})

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`

describe('persistent connections', hint('final/README.md#persistent-connections'), () => {
  it('HTTP/1.1 keeps the connection open: three requests, one connection, in turn', async () => {
    const client = await RawClient.connect(server.port)
    for (const path of ['/notes.txt', '/style.css', '/index.html']) {
      await client.send(get(path))
      const response = await client.readResponse()
      expectResponse({ client, response }, { status: 200, body: site.files.get(path)!, headers: { connection: null }, why: 'RFC 9112 §9.3: HTTP/1.1 connections persist unless "close" is said.' })
    }
    expect(client.isClosed, 'The connection is still open after three requests').toBe(false)
    client.destroy()
  })

  it('Connection: close is honoured: the answer says close, the connection closes, nothing after it is processed', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(get('/notes.txt', 'Connection: close\r\n') + get('/style.css'))
    const response = await client.readResponse()
    expectResponse({ client, response }, { status: 200, headers: { connection: 'close' } })
    const rest = await client.readUntilClose()
    expect(rest.toString(), 'No second response: the request after "Connection: close" is not processed').toBe('')
  })

  it('HTTP/1.0 closes after the response unless it asks for keep-alive', async () => {
    const closing = await RawClient.connect(server.port)
    await closing.send('GET /notes.txt HTTP/1.0\r\n\r\n')
    expectResponse({ client: closing, response: await closing.readResponse() }, { status: 200 })
    await expectClosed(closing, 'RFC 9112 §9.3: an HTTP/1.0 connection closes unless keep-alive was asked for.')

    const keeping = await RawClient.connect(server.port)
    await keeping.send('GET /notes.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
    const response = await keeping.readResponse()
    expectResponse({ client: keeping, response }, { status: 200, headers: { connection: /keep-alive/i } })
    await keeping.send('GET /style.css HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
    expectResponse({ client: keeping, response: await keeping.readResponse() }, { status: 200, body: site.files.get('/style.css')! })
    keeping.destroy()
  })

  it('a 404 keeps the connection: the request was read whole', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(get('/missing'))
    expectResponse({ client, response: await client.readResponse() }, { status: 404, headers: { connection: null } })
    await client.send(get('/notes.txt'))
    expectResponse({ client, response: await client.readResponse() }, { status: 200 })
    client.destroy()
  })

  it('a malformed request closes the connection: where the next request starts is unknown', async () => {
    const client = await RawClient.connect(server.port)
    await client.send('GET / HTTP/1.1\r\nHost : x\r\n\r\n' + get('/notes.txt'))
    expectResponse({ client, response: await client.readResponse() }, { status: 400, headers: { connection: 'close' } })
    await expectClosed(client)
  })

  it('an idle connection is closed after the keep-alive timeout (500 ms here)', hint('final/README.md#timeouts-headers-body-idle'), async () => {
    const client = await RawClient.connect(server.port)
    await client.send(get('/notes.txt'))
    await client.readResponse()
    await expectClosed(client, 'KEEP_ALIVE_TIMEOUT_MS=500: a connection idle longer than that is closed by the server.')
    expect(client.received.toString().match(/HTTP\/1\.1 /g)?.length, 'Closing an idle connection sends nothing more (no 408)').toBe(1)
  })
})

describe('a stray CRLF', hint('final/README.md#timeouts-headers-body-idle'), () => {
  it('after a response, a stray CRLF leaves the connection idle: it is closed at the keep-alive timeout, without a 408', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(get('/notes.txt'))
    await client.readResponse()
    await client.send('\r\n') // some clients send one after a body (RFC 9112 §2.2)
    await expectClosed(client, 'RFC 9112 §2.2: an empty line before a request line is ignored, so the connection is still idle (500 ms here), not inside a request.')
    expect(client.received.toString().match(/HTTP\/1\.1 /g)?.length, 'Nothing after the first response: no 408').toBe(1)
  })
})

describe('pipelining', hint('final/README.md#pipelining'), () => {
  it('five requests in one write are answered in order', async () => {
    const paths = ['/notes.txt', '/style.css', '/missing', '/app.js', '/data.json']
    const client = await RawClient.connect(server.port)
    await client.send(paths.map((path) => get(path)).join(''))
    for (const path of paths) {
      const response = await client.readResponse()
      const expected = site.files.get(path)
      expectResponse({ client, response }, expected ? { status: 200, body: expected } : { status: 404 })
    }
    client.destroy()
  })

  it('requests split across writes at awkward places are answered in order', async () => {
    const requests = get('/notes.txt') + get('/style.css') + get('/app.js')
    const client = await RawClient.connect(server.port)
    await client.sendSplit(requests, [7, 40, 60, 61, 100])
    for (const path of ['/notes.txt', '/style.css', '/app.js']) expectResponse({ client, response: await client.readResponse() }, { status: 200, body: site.files.get(path)! })
    client.destroy()
  })

  it('a HEAD in the middle of a pipeline has no body and does not shift the responses after it', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(get('/notes.txt') + 'HEAD /style.css HTTP/1.1\r\nHost: x\r\n\r\n' + get('/app.js'))
    expectResponse({ client, response: await client.readResponse() }, { body: site.files.get('/notes.txt')! })
    const head = await client.readResponse({ head: true })
    expect(header(head, 'content-length')).toBe(String(site.files.get('/style.css')!.length))
    expectResponse({ client, response: await client.readResponse() }, { body: site.files.get('/app.js')! })
    client.destroy()
  })
})
