// Chapter 10, black-box: chunked request bodies (RFC 9112 §7.1). A body sent as hex-sized chunks
// is decoded and answered exactly like the same body with a Content-Length; a chunk that is wrong
// in any way is a 400 (or 413, 431) and the close, since the rest of the stream cannot be framed.

import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RawClient, createSite, exchange, explain, expectClosed, expectResponse, hint, repoRoot, startServer, type FixtureSite, type HttpResponse, type RunningServer } from '../../../scripts/kit/index.ts'

const USERS = path.join(repoRoot, 'chapters', '10-chunked-and-compression', 'users.json')
const LOGIN_BODY = JSON.stringify({ username: 'dongdong', password: 'let-me-in' })
const LOGIN_WAIT_MS = 30_000 // a password hash is slow by design
const MAX_BODY_BYTES = 1024 * 1024 // the server's default body limit, 1 MiB
const MAX_HEADER_BYTES = 16 * 1024 // the head's limit, 16 KiB, and so the trailer section's
const README = 'chapters/10-chunked-and-compression/README.md'

let site: FixtureSite
let server: RunningServer
beforeAll(async () => {
  site = createSite()
  server = await startServer({ reference: 'chapters/10-chunked-and-compression', root: site.root, users: USERS })
})
afterAll(async () => {
  await server?.stop()
  site?.cleanup()
})
afterEach(() => RawClient.destroyAll())

const get = (target: string) => `GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`
const chunkedHead = (target: string, extra = '', version = 'HTTP/1.1') => `POST ${target} ${version}\r\nHost: localhost\r\n${extra}Transfer-Encoding: chunked\r\n\r\n`
const loginHead = chunkedHead('/api/login', 'Content-Type: application/json\r\n')
/** One chunk: its size in hex, CRLF, the data, CRLF. */
const chunk = (data: string, size = Buffer.byteLength(data).toString(16)) => `${size}\r\n${data}\r\n`
const LAST = '0\r\n\r\n'
const FOLLOWER = get('/notes.txt') // sent after a refused body: must never be answered

async function login(request: string, send: 'whole' | 'bytewise' = 'whole'): Promise<{ client: RawClient; response: HttpResponse }> {
  const client = await RawClient.connect(server.port)
  if (send === 'whole') await client.send(request)
  else await client.sendBytewise(request)
  return { client, response: await client.readResponse({ timeoutMs: LOGIN_WAIT_MS }) }
}

const LOGGED_IN = {
  status: 200,
  headers: { 'set-cookie': /^sid=[^;]+;/, 'content-type': /^application\/json/, connection: null },
  body: /"username":"dongdong"/,
}

describe('a chunked login is answered like one with a Content-Length', hint(`${README}#reading-a-chunked-request`), () => {
  it('the same login with Content-Length and chunked: the same status and body, and a cookie', async () => {
    const byLength = await login(`POST /api/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${LOGIN_BODY.length}\r\n\r\n${LOGIN_BODY}`)
    expectResponse(byLength, { ...LOGGED_IN, why: 'The login with a Content-Length, to compare with.' })
    const chunked = await login(loginHead + chunk(LOGIN_BODY) + LAST)
    expectResponse(chunked, { ...LOGGED_IN, body: byLength.response.body, why: 'RFC 9112 §7.1: a recipient MUST be able to parse the chunked transfer coding; the decoded body is the same JSON, so the answer is the same.' })
  })

  it('one chunk per byte of the JSON', async () => {
    const body = [...LOGIN_BODY].map((character) => chunk(character)).join('')
    expectResponse(await login(loginHead + body + LAST), { ...LOGGED_IN, why: 'RFC 9112 §7.1: chunks of any size make one body; 45 chunks of one byte are the same JSON.' })
  })

  it('the whole request sent one byte per write', async () => {
    const body = chunk(LOGIN_BODY.slice(0, 20)) + chunk(LOGIN_BODY.slice(20)) + LAST
    expectResponse(await login(loginHead + body, 'bytewise'), { ...LOGGED_IN, why: 'RFC 9112 §7.1: a chunk-size line, a chunk and its CRLF may each arrive in pieces; the server waits for the rest.' })
  })

  it('chunk extensions (token and quoted-string values, whitespace around ";" and "=") are ignored', async () => {
    const body = `6;name=value\r\n${LOGIN_BODY.slice(0, 6)}\r\n` + `${(LOGIN_BODY.length - 6).toString(16)} ; flag ; q = "a \\"quoted\\" ; value"\r\n${LOGIN_BODY.slice(6)}\r\n` + '0;last\r\n\r\n'
    expectResponse(await login(loginHead + body), { ...LOGGED_IN, why: 'RFC 9112 §7.1.1: a recipient MUST ignore chunk extensions it does not understand; BWS is allowed around ";" and "=".' })
  })

  it('uppercase and lowercase hex sizes, and a last chunk of several zeros', async () => {
    const body = chunk(LOGIN_BODY.slice(0, 26), '1A') + chunk(LOGIN_BODY.slice(26), (LOGIN_BODY.length - 26).toString(16).toLowerCase()) + '000\r\n\r\n'
    expectResponse(await login(loginHead + body), { ...LOGGED_IN, why: 'RFC 9112 §7.1: chunk-size = 1*HEXDIG, and HEXDIG is case-insensitive (RFC 5234 §2.3); last-chunk = 1*("0").' })
  })

  it('trailer fields are read and dropped: the login is answered', async () => {
    const body = chunk(LOGIN_BODY) + '0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n'
    expectResponse(await login(chunkedHead('/api/login', 'Content-Type: application/json\r\nTrailer: X-Checksum, X-Other\r\n') + body), { ...LOGGED_IN, why: 'RFC 9112 §7.1.2: trailer fields follow the last chunk and end with an empty line; a recipient MAY discard them.' })
  })

  it('a Content-Type sent as a trailer is not a header: 415', async () => {
    const ex = await login(chunkedHead('/api/login') + chunk(LOGIN_BODY) + '0\r\nContent-Type: application/json\r\n\r\n')
    expectResponse(ex, { status: 415, why: 'RFC 9112 §7.1.2: a recipient MUST NOT merge a trailer field into the header section unless it knows it is safe; this server never does.' })
  })

  it('bad JSON split across chunks: 400, like the same body with a Content-Length', async () => {
    const ex = await login(loginHead + chunk('{"username":') + chunk('"dongdong",') + LAST)
    expectResponse(ex, { status: 400, body: /not valid JSON/, why: 'The decoded body is {"username":"dongdong", and a login with it is 400 however it was framed.' })
  })

  it('a chunked login over the login\'s 8 KiB: 413 and the close', async () => {
    const piece = `"${'x'.repeat(1000)}",`
    const ex = await login(loginHead + chunk('{"pad":[') + chunk(piece).repeat(9) + chunk('""]}') + LAST)
    expectResponse(ex, { status: 413, headers: { connection: 'close' }, why: 'The decoded body counts against the login\'s body limit as a Content-Length does; past it the rest of the body cannot be skipped safely, so the connection closes.' })
    await expectClosed(ex.client, 'RFC 9112 §9.6: after refusing a body it did not read, the server closes.')
  })
})

describe('the connection after a chunked body', hint(`${README}#reading-a-chunked-request`), () => {
  it('a chunked POST and a GET in one write: both answered, in order', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(chunkedHead('/api/logout') + chunk('{') + chunk('}') + LAST + get('/style.css'))
    const why = 'RFC 9112 §7.1 and §9.3.2: the chunked body ends at its last chunk and empty line; the GET after it is the next request, answered next.'
    expectResponse({ client, response: await client.readResponse() }, { status: 200, headers: { 'set-cookie': /^sid=;/, connection: null }, why })
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: site.files.get('/style.css')!, why })
  })

  it('two chunked POSTs in turn on one connection, with trailers, then a GET', async () => {
    const client = await RawClient.connect(server.port)
    for (let i = 0; i < 2; i++) {
      await client.send(chunkedHead('/api/logout') + chunk('{}') + '0\r\nA-Trailer: x\r\n\r\n')
      expectResponse({ client, response: await client.readResponse() }, { status: 200, headers: { connection: null }, why: 'RFC 9112 §9.3: a request read to its end, trailers included, keeps the connection.' })
    }
    await client.send(get('/notes.txt'))
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: site.files.get('/notes.txt')!, why: 'The stream is positioned after the trailer section\'s empty line.' })
  })
})

/**
 * Send `body` after a chunked head (or a whole request), expect one answer with `status`,
 * Connection: close, and the close with nothing after it; then a new client is served.
 */
async function expectRefused(request: string, status: number, why: string, message?: RegExp): Promise<void> {
  const ex = await exchange(server.port, request + FOLLOWER)
  expectResponse(ex, { status, headers: { connection: 'close' }, why })
  if (message && !message.test(ex.response.body.toString('utf8'))) throw new Error(explain(ex.client, why, [`an error message matching ${message}`], [`the body was ${JSON.stringify(ex.response.body.toString('utf8').slice(0, 200))}`]))
  const rest = await ex.client.readUntilClose()
  if (rest.length > 0) throw new Error(explain(ex.client, why, ['one response, then the close'], [`more came after it: ${JSON.stringify(rest.toString('latin1').slice(0, 120))}`]))
  expectResponse(await exchange(server.port, get('/notes.txt')), { status: 200, why: 'The next client is served after a refused chunked body.' })
}

// [name, what follows the head, why]: each is 400 and the close.
const MALFORMED: [string, string, string][] = [
  ['a size that is not hex', 'zz\r\n{}\r\n0\r\n\r\n', 'RFC 9112 §7.1: chunk-size = 1*HEXDIG.'],
  ['an empty size line', '\r\n{}\r\n0\r\n\r\n', 'RFC 9112 §7.1: chunk-size = 1*HEXDIG: at least one digit.'],
  ['a negative size', '-2\r\n{}\r\n0\r\n\r\n', 'RFC 9112 §7.1: HEXDIG has no sign.'],
  ['a "0x" prefix', '0x2\r\n{}\r\n0\r\n\r\n', 'RFC 9112 §7.1: HEXDIG only (parseInt("0x2", 16) is 2, which is how a lenient parser goes wrong).'],
  ['a space before the size', ' 2\r\n{}\r\n0\r\n\r\n', 'RFC 9112 §7.1: the line starts with the hex digits.'],
  ['an extension without a name', '2;=x\r\n{}\r\n0\r\n\r\n', 'RFC 9112 §7.1.1: chunk-ext-name = token.'],
  ['an extension with an unterminated quoted value', '2;a="x\r\n{}\r\n0\r\n\r\n', 'RFC 9110 §5.6.4: a quoted-string ends with DQUOTE.'],
  ['a bare CR in a chunk-size line', '2\r{}\r\n0\r\n\r\n', 'RFC 9112 §2.2: a bare CR is invalid.'],
  ['a chunk-size line ended by a bare LF', '2\n{}\r\n0\r\n\r\n', 'RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF. Unlike the head, no bare LF: a proxy that reads line ends differently would see another body (request smuggling).'],
  ['the last chunk ended by a bare LF', '2\r\n{}\r\n0\n\r\n', 'RFC 9112 §7.1: last-chunk = 1*("0") [ chunk-ext ] CRLF.'],
  ['16 hex digits (overflow)', '0000000000000002\r\n{}\r\n0\r\n\r\n', 'RFC 9112 §7.1: a recipient MUST anticipate large sizes and prevent integer overflow; more than 15 digits are refused outright, as for Content-Length.'],
  ['a size far past any integer', `${'f'.repeat(40)}\r\n{}\r\n0\r\n\r\n`, 'RFC 9112 §7.1: a recipient MUST prevent integer overflow.'],
  ['no CRLF after the data', '2\r\n{}0\r\n\r\n', 'RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF.'],
  ['data longer than its size', '1\r\n{}\r\n0\r\n\r\n', 'RFC 9112 §7.1: the size says one byte; a server that skips to the next CRLF reads a different body than a proxy that counts.'],
  ['a bare LF after the data', '2\r\n{}\n0\r\n\r\n', 'RFC 9112 §7.1: chunk-data is followed by CRLF exactly.'],
  ['a trailer line without a colon', '2\r\n{}\r\n0\r\nno colon here\r\n\r\n', 'RFC 9112 §7.1.2: trailer-section = *( field-line CRLF ), and a field line has a colon.'],
  ['a trailer line folded onto the next', '2\r\n{}\r\n0\r\nX-A: 1\r\n folded\r\n\r\n', 'RFC 9112 §5.2: obs-fold is rejected in trailers as in the head.'],
]

describe('malformed chunked bodies: 400, the close, and the next client served', hint(`${README}#reading-a-chunked-request`), () => {
  for (const [name, body, why] of MALFORMED) {
    it(`${name} → 400, close`, async () => {
      await expectRefused(chunkedHead('/api/logout') + body, 400, why)
    })
  }

  it('a chunk-size line over 4 KiB (a flood of extensions) → 400, close', async () => {
    await expectRefused(chunkedHead('/api/logout') + `2;${'x'.repeat(5000)}\r\n{}\r\n0\r\n\r\n`, 400, 'RFC 9112 §7.1.1: a server ought to limit the length of chunk extensions it receives; an unbounded line is a memory attack (Node\'s CVE-2024-22019).')
  })

  it('a body cut short by the client\'s close is never answered with a success', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(chunkedHead('/api/logout') + '5\r\n{}')
    client.endWriting()
    const data = await client.readUntilClose()
    expect(data.toString('latin1'), 'RFC 9112 §8: an incomplete message MAY get an error response before the close, never a success').not.toMatch(/^HTTP\/1\.1 2/)
    expectResponse(await exchange(server.port, get('/notes.txt')), { status: 200, why: 'The next client is served after a client that left mid-body.' })
  })

  it('a body cut short before its last chunk\'s empty line is never answered with a success', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(chunkedHead('/api/logout') + '2\r\n{}\r\n0\r\n')
    client.endWriting()
    const data = await client.readUntilClose()
    expect(data.toString('latin1'), 'RFC 9112 §7.1: the body ends with the last chunk, the trailer section and an empty line; without them it is incomplete').not.toMatch(/^HTTP\/1\.1 2/)
  })
})

describe('framing that stays refused: request smuggling', hint(`${README}#what-stays-refused`), () => {
  it('Transfer-Encoding and Content-Length together → 400, close', async () => {
    await expectRefused(`POST /api/logout HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400, 'RFC 9112 §6.1: a server MAY reject a request with both, and then MUST close; one reading by length and another by chunks is how a request hides inside another.')
  })

  it('chunked not the last transfer coding → 400, close', async () => {
    await expectRefused(`POST /api/logout HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`, 400, 'RFC 9112 §6.3: if chunked is not the final coding of a request, the length cannot be determined: 400 and close.')
  })

  it('chunked twice → 400, close', async () => {
    await expectRefused(`POST /api/logout HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400, 'RFC 9112 §6.1: a sender MUST NOT apply chunked more than once; does the body end after one decoding or two?')
  })

  it('Transfer-Encoding in an HTTP/1.0 request → 400, close', async () => {
    await expectRefused(chunkedHead('/api/logout', '', 'HTTP/1.0') + chunk('{}') + LAST, 400, 'RFC 9112 §6.1: a server that receives Transfer-Encoding in an HTTP/1.0 request MUST treat the framing as faulty and close after answering.')
  })

  it('gzip, chunked → 501, close: a transfer coding this server does not decode', async () => {
    await expectRefused(`POST /api/logout HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`, 501, 'RFC 9112 §6.1: a server that receives a transfer coding it does not understand SHOULD respond with 501 and then close.')
  })
})

describe('limits on a chunked body', hint(`${README}#limits-for-a-body-of-unknown-length`), () => {
  it(`chunks that add up past the body limit (${MAX_BODY_BYTES} bytes) → 413, close`, async () => {
    const piece = 'x'.repeat(64 * 1024)
    await expectRefused(chunkedHead('/api/logout') + chunk(piece).repeat(17) + LAST, 413, 'The decoded body counts against the same limit as a Content-Length body; the 413 comes as soon as the sizes pass it, and the connection closes because the rest cannot be skipped safely.')
  })

  it('a single chunk that declares more than the limit → 413 before its data is sent', async () => {
    await expectRefused(chunkedHead('/api/logout') + `${(MAX_BODY_BYTES + 1).toString(16)}\r\n`, 413, 'A chunk of more than 1 MiB declared in its size line is refused from the size, as a Content-Length is: the server does not wait for the data.')
  })

  it(`trailers over the head's limit (${MAX_HEADER_BYTES} bytes) → 431, close`, async () => {
    await expectRefused(chunkedHead('/api/logout') + `2\r\n{}\r\n0\r\nX-Big: ${'b'.repeat(MAX_HEADER_BYTES + 100)}\r\n\r\n`, 431, 'RFC 9112 §7.1.2: the trailer section is field lines like the head, bounded by the same limit (RFC 6585 §5: 431).')
  })

  it('more than 100 trailer fields → 431, close', async () => {
    const fields = Array.from({ length: 101 }, (_, i) => `t${i}:v\r\n`).join('')
    await expectRefused(chunkedHead('/api/logout') + `2\r\n{}\r\n0\r\n${fields}\r\n`, 431, 'The trailer section has the same field count limit as the head.')
  })
})
