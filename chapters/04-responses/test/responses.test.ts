// Chapter 04, black-box: every response is complete and correct, byte for byte: status line,
// Date in GMT, Server, Content-Type, Content-Length in bytes; errors are pages with the right code.

import { afterAll, afterEach, beforeAll, describe, it } from 'vitest'
import { RawClient, exchange, expectBytes, expectClosed, expectResponse, explain, header, hint, startServer, type Exchange, type RunningServer } from '../../../scripts/kit/index.ts'

let server: RunningServer
beforeAll(async () => {
  // A zone far from GMT: a Date written in local time instead of GMT is then 8 hours off.
  server = await startServer({ reference: 'chapters/04-responses', env: { TZ: 'Asia/Shanghai' } })
})
afterAll(() => server?.stop())
afterEach(() => RawClient.destroyAll()) // a failed test must not leave its connection holding the server

const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/
const PRODUCT = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+( .*)?$/

// Requests ask for Connection: close. This chapter's server closes after every response anyway; a
// later one keeps the connection open unless asked (final/ does), and must pass these tests too.
function get(path: string, method = 'GET'): Promise<Exchange> {
  return exchange(server.port, `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`)
}

/** The status line, and a Content-Length that counts exactly the body's bytes. */
function expectStatusLine(ex: Exchange, code: number, reason: string): void {
  const line = ex.response.raw.subarray(0, ex.response.raw.indexOf('\r\n') + 2)
  expectBytes(ex.client, line, `HTTP/1.1 ${code} ${reason}\r\n`, 'RFC 9112 §4: status-line = HTTP-version SP status-code SP reason-phrase CRLF.')
}

async function expectErrorPage(ex: Exchange, code: number, reason: string): Promise<void> {
  expectStatusLine(ex, code, reason)
  expectResponse(ex, {
    headers: { 'content-type': /^text\/html; ?charset=utf-8$/i, 'content-length': String(ex.response.body.length) },
    body: new RegExp(String(code)),
    why: `An error is a complete response: a small HTML page that names the code ${code}, with its type and length.`,
  })
  await expectClosed(ex.client, 'After an error the server closes the connection.')
}

describe('the status line and the headers of every response', hint('chapters/04-responses/README.md#a-response-byte-for-byte'), () => {
  it('starts with "HTTP/1.1 200 OK"', async () => expectStatusLine(await get('/'), 200, 'OK'))

  it('has a Date in IMF-fixdate, in GMT, close to the real time', async () => {
    const ex = await get('/')
    expectResponse(ex, { headers: { date: IMF_FIXDATE }, why: 'RFC 9110 §5.6.7: Date is IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".' })
    const skewMinutes = Math.abs(Date.parse(header(ex.response, 'date')!) - Date.now()) / 60_000
    if (skewMinutes > 10) {
      throw new Error(explain(ex.client, 'The server runs with TZ=Asia/Shanghai; a Date written in local time is 8 hours off.', ['a Date within 10 minutes of the real time in GMT'], [`it is ${Math.round(skewMinutes)} minutes off`]))
    }
  })

  it('names the server as product/version', async () => {
    expectResponse(await get('/'), { headers: { server: PRODUCT }, why: 'RFC 9110 §10.2.4: Server = product *( RWS ( product / comment ) ), product = token ["/" token].' })
  })

  it('says what the body is with Content-Type', async () => {
    expectResponse(await get('/'), { headers: { 'content-type': /^text\/html; ?charset=utf-8$/i }, why: 'An HTML page is "text/html; charset=utf-8"; without a charset a browser guesses.' })
  })

  it('counts Content-Length in bytes: a UTF-8 page arrives whole', async () => {
    const ex = await get('/')
    expectResponse(ex, {
      headers: { 'content-length': String(ex.response.body.length) },
      body: /[^\x00-\x7f][\s\S]*<\/html>\s*$/,
      why: 'The page holds characters of more than one byte in UTF-8 (你好 is 6 bytes); a length in characters would cut its end off.',
    })
    const rest = await ex.client.readUntilClose()
    expectBytes(ex.client, rest, '', 'Nothing may follow the Content-Length bytes of the body.')
  })

  it('says Connection: close, and closes', async () => {
    const ex = await exchange(server.port, 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n') // the client did not ask to close
    expectResponse(ex, { headers: { connection: 'close' }, why: 'RFC 9112 §9.6: a server that closes after the response says so with Connection: close.' })
    await expectClosed(ex.client)
  })
})

describe('error responses', hint('chapters/04-responses/README.md#which-status-code'), () => {
  it('404 Not Found for a path that does not exist', async () => expectErrorPage(await get('/no/such/page'), 404, 'Not Found'))

  it('400 Bad Request, with a page, for a malformed request', async () => {
    await expectErrorPage(await exchange(server.port, 'GET / HTTP/1.1\r\nHost : x\r\n\r\n'), 400, 'Bad Request')
  })

  it('405 Method Not Allowed, with Allow, for a known method this resource does not take', async () => {
    const ex = await get('/', 'DELETE')
    await expectErrorPage(ex, 405, 'Method Not Allowed')
    const allow = header(ex.response, 'allow') ?? ''
    const methods = allow.split(',').map((m) => m.trim())
    if (!methods.includes('GET') || !methods.includes('HEAD') || methods.includes('DELETE')) {
      throw new Error(explain(ex.client, 'RFC 9110 §15.5.6: a 405 MUST list the methods the resource does take in Allow.', ['Allow listing GET and HEAD, not DELETE'], [`Allow was ${JSON.stringify(allow)}`]))
    }
  })

  it('501 Not Implemented for a method the server does not know (not 404)', async () => {
    await expectErrorPage(await get('/', 'BREW'), 501, 'Not Implemented')
  })

  it('501 for a lowercase method: methods are case-sensitive', async () => {
    await expectErrorPage(await get('/', 'get'), 501, 'Not Implemented')
  })

  for (const version of ['HTTP/2.0', 'HTTP/3.0', 'HTTP/0.9']) {
    it(`505 HTTP Version Not Supported for ${version}`, async () => {
      await expectErrorPage(await exchange(server.port, `GET / ${version}\r\nHost: localhost\r\n\r\n`), 505, 'HTTP Version Not Supported')
    })
  }

  it('the server still answers after all those errors', async () => expectStatusLine(await get('/'), 200, 'OK'))
})

describe('HEAD', hint('chapters/04-responses/README.md#head'), () => {
  it("answers with GET's status and headers, and no body", async () => {
    const got = await get('/')
    const client = await RawClient.connect(server.port)
    await client.send('HEAD / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
    const all = await client.readUntilClose()
    const head = all.subarray(0, all.indexOf('\r\n\r\n') + 4)
    expectBytes(client, all, head, 'RFC 9110 §9.3.2: a HEAD response has no body; nothing may follow the empty line.')
    const lengthLine = `Content-Length: ${got.response.body.length}\r\n`
    if (!head.toString().toLowerCase().includes(lengthLine.toLowerCase())) {
      throw new Error(explain(client, 'RFC 9110 §9.3.2: HEAD sends the same headers as GET, Content-Length included.', [lengthLine.trim()], ['it was missing or different']))
    }
  })

  it('a HEAD that fails before its handler runs (505) gets its error without a body', async () => {
    const client = await RawClient.connect(server.port)
    await client.send('HEAD / HTTP/2.0\r\nHost: localhost\r\n\r\n')
    const all = await client.readUntilClose()
    expectBytes(client, all.subarray(0, 37), 'HTTP/1.1 505 HTTP Version Not Supported'.slice(0, 37))
    expectBytes(client, all, all.subarray(0, all.indexOf('\r\n\r\n') + 4), 'RFC 9110 §9.3.2: no body in any response to HEAD, errors included.')
  })

  it('a HEAD for a missing path gets 404 without a body', async () => {
    const client = await RawClient.connect(server.port)
    await client.send('HEAD /missing HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
    const all = await client.readUntilClose()
    expectBytes(client, all.subarray(0, 24), 'HTTP/1.1 404 Not Found\r\n')
    expectBytes(client, all, all.subarray(0, all.indexOf('\r\n\r\n') + 4), 'No body after the head of a HEAD response, even an error.')
  })
})
