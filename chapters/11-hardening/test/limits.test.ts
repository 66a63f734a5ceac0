// Chapter 11, black-box: every limit has a name, a unit, a flag, and the right status when exceeded.
// They are set small here through the environment, so the suite stays fast.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RawClient, createSite, exchange, expectClosed, expectResponse, hint, startServer, type FixtureSite, type RunningServer } from '../../../scripts/kit/index.ts'

let site: FixtureSite
let server: RunningServer
beforeAll(async () => {
  site = createSite()
  server = await startServer({
    reference: 'chapters/11-hardening',
    root: site.root,
    args: ['--quiet'],
    env: {
      MAX_REQUEST_LINE_BYTES: '256',
      MAX_HEADER_BYTES: '1024',
      MAX_BODY_BYTES: '2048',
      HEADERS_TIMEOUT_MS: '600',
      REQUEST_TIMEOUT_MS: '600',
      MAX_CONNECTIONS: '6',
    },
  })
})
afterAll(async () => {
  await server?.stop()
  site?.cleanup()
})

describe('size limits', hint('chapters/11-hardening/README.md#limits-as-a-budget'), () => {
  it('a request line over --max-request-line (256 bytes here): 414 URI Too Long', async () => {
    expectResponse(await exchange(server.port, `GET /${'a'.repeat(300)} HTTP/1.1\r\nHost: x\r\n\r\n`), { status: 414, headers: { connection: 'close' } })
  })

  it('a header block over --max-header-size (1 KiB here): 431', async () => {
    expectResponse(await exchange(server.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(1100)}\r\n\r\n`), { status: 431 })
  })

  it('many small headers that add up over the limit: 431', async () => {
    const headers = Array.from({ length: 80 }, (_, i) => `X-H${i}: ${'v'.repeat(10)}\r\n`).join('')
    expectResponse(await exchange(server.port, `GET / HTTP/1.1\r\nHost: x\r\n${headers}\r\n`), { status: 431 })
  })

  it('a declared body over --max-body (2 KiB here): 413 at once, without the body being sent', async () => {
    expectResponse(await exchange(server.port, 'POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n'), {
      status: 413,
      why: 'A 1 GiB declaration is refused from its Content-Length: the server must not wait for, or read, the gigabyte.',
    })
  })
})

describe('closing after a refusal', hint('chapters/01-tcp-echo/README.md#closing-fin-and-why-we-keep-reading'), () => {
  it('a client that goes on sending the body of a refused upload still reads the whole 413 (lingering close)', async () => {
    const client = await RawClient.connect(server.port)
    // Head and a whole 1 MiB body in one go, as a client that does not wait for an answer sends
    // it: when the 413 is written, the server's socket holds bytes it has not read. Closing it
    // then would reset the connection, and a reset throws away the 413 the client has not read yet.
    const body = Buffer.alloc(1024 * 1024, 0x78)
    await client.send(Buffer.concat([Buffer.from(`POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`), body]))
    expectResponse({ client, response: await client.readResponse() }, {
      status: 413,
      headers: { connection: 'close' },
      why: 'RFC 9112 §9.6: a server that closes while the client may still be sending should drain its bytes first (a lingering close), so the client is not reset before it reads the response.',
    })
    expect(await client.waitForClose(), 'the server closes the connection after the 413').toBe(true)
    expect(client.error?.message, 'the connection ends with a FIN, not a reset: a reset can destroy a response the client has not read yet').toBeUndefined()
  })
})

describe('time limits', hint('chapters/11-hardening/README.md#deadlines-not-idle-timers'), () => {
  it('a head that has not arrived after --headers-timeout: 408, then close', async () => {
    const client = await RawClient.connect(server.port)
    await client.send('GET / HTTP/1.1\r\nHost: x\r\n') // and no empty line
    expectResponse({ client, response: await client.readResponse() }, { status: 408, headers: { connection: 'close' } })
    await expectClosed(client)
  })

  it('a head dribbled a byte at a time still has to arrive within --headers-timeout (slowloris)', async () => {
    const client = await RawClient.connect(server.port)
    const request = `GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ${'z'.repeat(200)}\r\n\r\n`
    let sent = 0
    // A byte every 20 ms never leaves the connection idle for long, but takes 4.5 s in all.
    const dribble = (async () => {
      for (; sent < request.length && !client.isClosed; sent++) {
        await client.send(request[sent]!).catch(() => {})
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    })()
    const response = await client.readResponse()
    expect(response.status, 'The head did not arrive within HEADERS_TIMEOUT_MS=600, however busy the client kept the line').toBe(408)
    expect(sent, 'The server gave up before the client finished').toBeLessThan(request.length)
    client.destroy()
    await dribble
  })

  it('a body that stops arriving: 408 after --request-timeout', async () => {
    const client = await RawClient.connect(server.port)
    await client.send('POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user')
    expectResponse({ client, response: await client.readResponse() }, { status: 408 })
  })
})

describe('the connection limit', hint('chapters/07-threads/README.md#a-bound-on-open-connections'), () => {
  it('over --max-connections (6 here): 503 with Retry-After', async () => {
    const holders = await Promise.all(Array.from({ length: 6 }, () => RawClient.connect(server.port)))
    await Promise.all(holders.map((client) => client.send('GET / HTTP/1.1\r\n')))
    const refused = await exchange(server.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    expectResponse(refused, { status: 503, headers: { 'retry-after': /^\d+$/ } })
    holders.forEach((client) => client.destroy())
  })
})
