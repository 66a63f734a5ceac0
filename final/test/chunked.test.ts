// final/, black-box: chunked request bodies (RFC 9112 §7.1). A body sent as hex-sized chunks is
// decoded and answered exactly like the same body with a Content-Length; every way a chunk can be
// wrong is a 400 (or 413, 431, 408) with a message, then the close, since the rest cannot be framed.

import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RawClient, createSite, exchange, explain, expectClosed, expectResponse, hint, repoRoot, startServer, type FixtureSite, type HttpResponse, type RunningServer } from '../../scripts/kit/index.ts'

const USERS = path.join(repoRoot, 'final', 'users.json')
const LOGIN_BODY = JSON.stringify({ username: 'dongdong', password: 'let-me-in' })
const LOGIN_WAIT_MS = 30_000 // a password hash is slow by design
const MAX_BODY_BYTES = 2048 // the server's body limit here (the login's own is 8 KiB)
const MAX_HEADER_BYTES = 1024 // the head's limit, and the trailer section's
// Only the deadline tests' own server gets this short timeout: on a busy machine, a request sent
// one byte per write can take longer than 600 ms, and those tests are not about time.
const REQUEST_TIMEOUT_MS = 600

let site: FixtureSite
let server: RunningServer
beforeAll(async () => {
  site = createSite()
  server = await startServer({
    reference: 'final',
    root: site.root,
    users: USERS,
    args: ['--quiet'],
    env: { MAX_BODY_BYTES: String(MAX_BODY_BYTES), MAX_HEADER_BYTES: String(MAX_HEADER_BYTES) },
  })
})
afterAll(async () => {
  await server?.stop()
  site?.cleanup()
})
afterEach(() => RawClient.destroyAll())

const get = (target: string) => `GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`
const chunkedHead = (target: string, extra = '') => `POST ${target} HTTP/1.1\r\nHost: localhost\r\n${extra}Transfer-Encoding: chunked\r\n\r\n`
const loginHead = chunkedHead('/api/login', 'Content-Type: application/json\r\n')
/** One chunk: its size in hex, the data, CRLF. */
const chunk = (data: string, size = Buffer.byteLength(data).toString(16)) => `${size}\r\n${data}\r\n`
const LAST = '0\r\n\r\n'
const FOLLOWER = get('/notes.txt') // after a refused body: must never be answered

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

describe('a chunked login is answered like one with a Content-Length', hint('final/README.md#chunked-request-bodies'), () => {
  it('the same login with Content-Length and chunked: the same status, body and cookie', async () => {
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
    const first = LOGIN_BODY.slice(0, 26)
    const body = chunk(first, '1A') + chunk(LOGIN_BODY.slice(26), (LOGIN_BODY.length - 26).toString(16).toLowerCase()) + '000\r\n\r\n'
    expectResponse(await login(loginHead + body), { ...LOGGED_IN, why: 'RFC 9112 §7.1: chunk-size = 1*HEXDIG, and HEXDIG is case-insensitive (RFC 5234 §2.3); last-chunk = 1*("0").' })
  })

  it('trailer fields are read and dropped: the login is answered', async () => {
    const body = chunk(LOGIN_BODY) + '0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n'
    expectResponse(await login(chunkedHead('/api/login', 'Content-Type: application/json\r\nTrailer: X-Checksum, X-Other\r\n') + body), { ...LOGGED_IN, why: 'RFC 9112 §7.1.2: trailer fields follow the last chunk and end with an empty line; a recipient MAY discard them.' })
  })

  it('a Content-Type sent as a trailer is not a header: 415', async () => {
    const { client, response } = await login(chunkedHead('/api/login') + chunk(LOGIN_BODY) + '0\r\nContent-Type: application/json\r\n\r\n')
    expectResponse({ client, response }, { status: 415, why: 'RFC 9112 §7.1.2: a recipient MUST NOT merge a trailer field into the header section unless it knows it is safe; this server never does.' })
  })

  it('bad JSON split across chunks: 400, like the same body with a Content-Length', async () => {
    const { client, response } = await login(loginHead + chunk('{"username":') + chunk('"dongdong",') + LAST)
    expectResponse({ client, response }, { status: 400, body: /not valid JSON/, why: 'The decoded body is "{"username":"dongdong","; a login with it is 400 however it was framed.' })
  })

  it('a chunked login over the login\'s 8 KiB: 413 and the close', async () => {
    const piece = `"${'x'.repeat(1000)}",`
    const { client, response } = await login(loginHead + chunk('{"pad":[') + chunk(piece).repeat(9) + chunk('""]}') + LAST)
    expectResponse({ client, response }, { status: 413, headers: { connection: 'close' }, why: 'The decoded body counts against the login\'s body limit as a Content-Length does; past it the rest of the body cannot be skipped safely, so the connection closes.' })
    await expectClosed(client, 'RFC 9112 §9.6: after refusing a body it did not read, the server closes.')
  })
})

describe('the connection after a chunked body', hint('final/README.md#chunked-request-bodies'), () => {
  it('a chunked POST and a GET in one write: both answered, in order', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(chunkedHead('/api/logout') + chunk('{') + chunk('}') + LAST + get('/style.css'))
    const why = 'RFC 9112 §7.1 and §9.3.2: the chunked body ends at its last chunk and empty line; the GET after it is the next request, answered next.'
    expectResponse({ client, response: await client.readResponse() }, { status: 200, headers: { 'set-cookie': /^sid=;/, connection: null }, why })
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: site.files.get('/style.css')!, why })
  })

  it('two chunked POSTs in turn on one connection, then a GET', async () => {
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
 * Send `body` after a chunked head, expect one answer with `status`, an error message (the API
 * answers {"error": "..."}) matching `message`, Connection: close, and the close with nothing
 * after it; then a new client is served.
 */
async function expectRefused(body: string, status: number, message: RegExp, why: string): Promise<void> {
  const ex = await exchange(server.port, chunkedHead('/api/logout') + body + FOLLOWER)
  expectResponse(ex, { status, headers: { connection: 'close' }, why })
  const error = errorMessage(ex.response)
  if (!message.test(error)) throw new Error(explain(ex.client, why, [`an error message matching ${message}`], [`the message was ${JSON.stringify(error)}`]))
  const rest = await ex.client.readUntilClose()
  if (rest.length > 0) throw new Error(explain(ex.client, why, ['one response, then the close'], [`more came after it: ${JSON.stringify(rest.toString('latin1').slice(0, 120))}`]))
  const next = await exchange(server.port, get('/notes.txt'))
  expectResponse(next, { status: 200, why: 'The next client is served after a refused chunked body.' })
}

function errorMessage(response: HttpResponse): string {
  try {
    return String((JSON.parse(response.body.toString('utf8')) as { error?: unknown }).error)
  } catch {
    return response.body.toString('utf8')
  }
}

// [name, what follows the head, message, why]: each is 400 and the close.
const MALFORMED: [string, string, RegExp, string][] = [
  ['a size that is not hex', 'zz\r\n{}\r\n0\r\n\r\n', /chunk-size line "zz"/, 'RFC 9112 §7.1: chunk-size = 1*HEXDIG.'],
  ['an empty size line', '\r\n{}\r\n0\r\n\r\n', /chunk-size line ""/, 'RFC 9112 §7.1: chunk-size = 1*HEXDIG: at least one digit.'],
  ['a negative size', '-2\r\n{}\r\n0\r\n\r\n', /chunk-size line "-2"/, 'RFC 9112 §7.1: HEXDIG has no sign.'],
  ['a "0x" prefix', '0x2\r\n{}\r\n0\r\n\r\n', /chunk-size line "0x2"/, 'RFC 9112 §7.1: HEXDIG only (parseInt("0x2", 16) is 2).'],
  ['a space after the size, with no extension', '2 \r\n{}\r\n0\r\n\r\n', /chunk-size line "2 "/, 'RFC 9112 §7.1.1: BWS is allowed only around ";" and "=" of an extension.'],
  ['a space before the size', ' 2\r\n{}\r\n0\r\n\r\n', /chunk-size line " 2"/, 'RFC 9112 §7.1: the line starts with the hex digits.'],
  ['an extension without a name', '2;=x\r\n{}\r\n0\r\n\r\n', /chunk-size line/, 'RFC 9112 §7.1.1: chunk-ext-name = token.'],
  ['an extension with an unterminated quoted value', '2;a="x\r\n{}\r\n0\r\n\r\n', /chunk-size line/, 'RFC 9110 §5.6.4: a quoted-string ends with DQUOTE.'],
  ['a bare CR in a chunk-size line', '2\r{}\r\n0\r\n\r\n', /bare CR/, 'RFC 9112 §2.2: a bare CR is invalid.'],
  ['a chunk-size line ended by a bare LF', '2\n{}\r\n0\r\n\r\n', /bare LF/, 'RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF. Unlike the head, no bare LF: a proxy that reads line ends differently would see another body (request smuggling).'],
  ['the last chunk ended by a bare LF', '2\r\n{}\r\n0\n\r\n', /bare LF/, 'RFC 9112 §7.1: last-chunk = 1*("0") [ chunk-ext ] CRLF.'],
  ['16 hex digits (overflow)', '0000000000000002\r\n{}\r\n0\r\n\r\n', /too large/, 'RFC 9112 §7.1: a recipient MUST prevent integer overflow; this server refuses more than 15 digits outright, as for Content-Length.'],
  ['a size past Number.MAX_SAFE_INTEGER', 'fffffffffffffff\r\n{}\r\n0\r\n\r\n', /too large/, 'RFC 9112 §7.1: 0xfffffffffffffff does not fit a double exactly; a parser that rounds it reads another length.'],
  ['a size far past any integer', `${'f'.repeat(40)}\r\n{}\r\n0\r\n\r\n`, /too large/, 'RFC 9112 §7.1: a recipient MUST anticipate large sizes and prevent integer overflow.'],
  ['no CRLF after the data', '2\r\n{}0\r\n\r\n', /followed by "0\\r", not CRLF/, 'RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF.'],
  ['data longer than its size', '1\r\n{}\r\n0\r\n\r\n', /followed by "}\\r", not CRLF/, 'RFC 9112 §7.1: the size says one byte; a server that skips to the next CRLF reads a different body than a proxy that counts.'],
  ['a bare LF after the data', '2\r\n{}\n0\r\n\r\n', /not CRLF/, 'RFC 9112 §7.1: chunk-data is followed by CRLF exactly.'],
  ['a trailer line without a colon', '2\r\n{}\r\n0\r\nno colon here\r\n\r\n', /trailer section/, 'RFC 9112 §7.1.2: trailer-section = *( field-line CRLF ), and a field line has a colon.'],
  ['a trailer line folded onto the next', '2\r\n{}\r\n0\r\nX-A: 1\r\n folded\r\n\r\n', /trailer section/, 'RFC 9112 §5.2: obs-fold is rejected in trailers as in the head.'],
]

describe('malformed chunked bodies: 400, a message, the close, and the next client served', hint('final/README.md#chunked-request-bodies'), () => {
  for (const [name, body, message, why] of MALFORMED) {
    it(`${name} → 400, close`, async () => {
      await expectRefused(body, 400, message, why)
    })
  }

  it('a chunk-size line over 4 KiB (a flood of extensions) → 400, close', async () => {
    await expectRefused(`2;${'x'.repeat(5000)}\r\n{}\r\n0\r\n\r\n`, 400, /chunk-size line is longer than 4096 bytes/, 'RFC 9112 §7.1.1: a server ought to limit the length of chunk extensions it receives; an unbounded line is a memory attack (Node\'s CVE-2024-22019).')
  })

  it('a body cut short by the client\'s close is never answered with a success', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(chunkedHead('/api/logout') + '5\r\n{}')
    client.endWriting()
    const data = await client.readUntilClose()
    expect(data.toString('latin1'), 'RFC 9112 §8: an incomplete message MAY get an error response before the close, never a success').not.toMatch(/^HTTP\/1\.1 2/)
    expectResponse(await exchange(server.port, get('/notes.txt')), { status: 200, why: 'The next client is served after a client that left mid-body.' })
  })

  it('a body cut short before its last chunk and empty line is never answered with a success', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(chunkedHead('/api/logout') + '2\r\n{}\r\n0\r\n')
    client.endWriting()
    const data = await client.readUntilClose()
    expect(data.toString('latin1'), 'RFC 9112 §7.1: the body ends with the last chunk, the trailer section and an empty line; without them it is incomplete').not.toMatch(/^HTTP\/1\.1 2/)
  })
})

describe('limits on a chunked body', hint('final/README.md#chunked-request-bodies'), () => {
  it(`a body whose chunks add up past --max-body (${MAX_BODY_BYTES} bytes here) → 413, close`, async () => {
    const piece = 'x'.repeat(1000)
    await expectRefused(chunk(piece).repeat(3) + LAST, 413, /more than 2048 bytes/, 'The decoded body counts against the same limit as a Content-Length body; the 413 comes as soon as the sizes pass it, and the connection closes because the rest cannot be skipped safely.')
  })

  it('a single chunk that declares more than the limit → 413 before its data is sent', async () => {
    await expectRefused('100000\r\n', 413, /more than 2048 bytes/, 'A chunk of 1 MiB declared in its size line is refused from the size, as a Content-Length is: the server does not wait for the data.')
  })

  it(`trailers over --max-header-size (${MAX_HEADER_BYTES} bytes here) → 431, close`, async () => {
    await expectRefused(`2\r\n{}\r\n0\r\nX-Big: ${'b'.repeat(MAX_HEADER_BYTES + 100)}\r\n\r\n`, 431, /trailer section is longer than 1024 bytes/, 'RFC 9112 §7.1.2: the trailer section is field lines like the head, bounded by the same limit (RFC 6585 §5: 431).')
  })

  it('more than 100 trailer fields → 431, close', async () => {
    const fields = Array.from({ length: 101 }, (_, i) => `t${i}:v\r\n`).join('')
    await expectRefused(`2\r\n{}\r\n0\r\n${fields}\r\n`, 431, /more than 100 trailer fields/, 'The trailer section has the same field count limit as the head.')
  })

  describe('deadlines', () => {
    let deadlines: RunningServer
    beforeAll(async () => {
      deadlines = await startServer({ reference: 'final', root: site.root, users: USERS, args: ['--quiet'], env: { REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } })
    })
    afterAll(() => deadlines?.stop())

    it(`a chunked body that stops arriving → 408 after --request-timeout (${REQUEST_TIMEOUT_MS} ms here), close`, hint('final/README.md#timeouts-headers-body-idle'), async () => {
      const client = await RawClient.connect(deadlines.port)
      await client.send(chunkedHead('/api/logout') + '2\r\n{')
      expectResponse({ client, response: await client.readResponse() }, { status: 408, headers: { connection: 'close' }, why: 'RFC 9110 §15.5.9: 408 when the request did not arrive in time; a chunked body has the same deadline as a Content-Length body.' })
      await expectClosed(client)
    })

    it('a chunked body dribbled a chunk at a time still has to arrive within --request-timeout', hint('final/README.md#timeouts-headers-body-idle'), async () => {
      const client = await RawClient.connect(deadlines.port)
      await client.send(chunkedHead('/api/logout'))
      // A byte every 100 ms: never idle for long, but the whole body takes 3 s, five times the limit.
      for (let i = 0; i < 30 && client.received.length === 0 && !client.isClosed; i++) {
        await client.send(chunk(' ')).catch(() => {})
        await sleep(100)
      }
      expectResponse({ client, response: await client.readResponse() }, { status: 408, headers: { connection: 'close' }, why: 'The deadline is for the whole body from its start, not for each chunk: otherwise a client could hold the connection for ever with one byte a second.' })
      await expectClosed(client)
    })
  })
})
