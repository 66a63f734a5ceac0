// Chapter 03, black-box: requests are parsed from the byte stream, however it is cut;
// a malformed request gets 400 and the server goes on serving.

import { afterAll, afterEach, beforeAll, describe, it } from 'vitest'
import { RawClient, exchange, expectResponse, hint, startServer, type RunningServer, type SendMode } from '../../../scripts/kit/index.ts'

let server: RunningServer
beforeAll(async () => {
  server = await startServer({ reference: 'chapters/03-http-parse' })
})
afterAll(() => server?.stop())
afterEach(() => RawClient.destroyAll()) // a failed test must not leave its connection holding the server

const GET = 'GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: workbook\r\n\r\n'

// Any page will do: this chapter's is a hello page, and from chapter 05 on `/` is a file.
async function expectPage(send: SendMode = 'whole', request = GET, why = 'A well-formed GET gets 200 and a page.'): Promise<void> {
  const ex = await exchange(server.port, request, { send })
  expectResponse(ex, { status: 200, body: /\S/, why })
  ex.client.destroy()
}

describe('GET', hint('chapters/03-http-parse/README.md#lines-of-the-head'), () => {
  it('answers GET / with 200 and a page', hint('chapters/03-http-parse/README.md#the-shape-of-a-request'), () => expectPage())
  it('accepts HTTP/1.0 without a Host header', hint('chapters/03-http-parse/README.md#header-fields-rfc-9112-5'), () => expectPage('whole', 'GET / HTTP/1.0\r\n\r\n', 'Host is required only from HTTP/1.1 on (RFC 9112 §3.2).'))
  it('accepts lines that end in a bare LF', () => expectPage('whole', 'GET / HTTP/1.1\nHost: localhost\n\n', 'RFC 9112 §2.2: a recipient MAY take a bare LF as a line ending.'))
  it('ignores an empty line before the request line', () => expectPage('whole', `\r\n${GET}`, 'RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line.'))
})

describe('a request cut into pieces', hint('chapters/02-stream-handler/README.md#one-buffer-and-the-leftovers-stay-in-it'), () => {
  for (const cut of [3, 4, 15, 16, GET.length - 2]) {
    it(`a request cut after byte ${cut} is answered once it is complete`, () =>
      expectPage([cut], GET, `The request arrived in two writes, cut after byte ${cut}; the server must wait for the rest.`))
  }
  it('a request sent one byte at a time is answered', () => expectPage('bytewise', GET, 'Each byte arrived on its own; the parser must put them together.'))
})

describe('the body, by Content-Length', hint('chapters/03-http-parse/README.md#the-body-exactly-how-many-bytes-rfc-9112-6'), () => {
  const head = 'POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 11\r\n\r\n'

  it('reads a body that arrives in a later write than the headers', async () => {
    const ex = await exchange(server.port, `${head}hello world`, { send: [head.length] })
    expectResponse(ex, { status: 200, body: 'hello world', why: 'The server must read exactly Content-Length bytes after the empty line, even when they come later.' })
  })

  it('reads a body sent one byte at a time', async () => {
    const ex = await exchange(server.port, `${head}hello world`, { send: 'bytewise' })
    expectResponse(ex, { status: 200, body: 'hello world' })
  })

  it('counts Content-Length in bytes, not characters', async () => {
    const body = Buffer.from('你好', 'utf8') // 2 characters, 6 bytes
    const request = Buffer.concat([Buffer.from('POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 6\r\n\r\n'), body])
    const ex = await exchange(server.port, request, { send: [request.length - 4] })
    expectResponse(ex, { status: 200, body: '你好', why: 'Content-Length: 6 means six bytes, which here are two characters.' })
  })

  it('finds header names whatever their case, and trims their values', hint('chapters/03-http-parse/README.md#header-fields-rfc-9112-5'), async () => {
    const ex = await exchange(server.port, 'POST /echo HTTP/1.1\r\nHOST: localhost\r\ncontent-LENGTH:   3  \r\n\r\nabc')
    expectResponse(ex, { status: 200, body: 'abc', why: 'RFC 9110 §5.1: field names are case-insensitive; RFC 9112 §5: whitespace around the value is not part of it.' })
  })
})

describe('the limits of the head', hint('chapters/03-http-parse/README.md#lines-of-the-head'), () => {
  const fields = (n: number) => Array.from({ length: n }, (_, i) => `X-F${i}: ${i}\r\n`).join('')

  it('100 header fields are read; a 101st gets 431', async () => {
    const atLimit = await exchange(server.port, `GET / HTTP/1.1\r\nHost: localhost\r\n${fields(99)}\r\n`)
    expectResponse(atLimit, { status: 200, why: 'Host and 99 more make 100 fields: at the limit, not over it.' })
    atLimit.client.destroy()
    const over = await exchange(server.port, `GET / HTTP/1.1\r\nHost: localhost\r\n${fields(100)}\r\n`)
    expectResponse(over, { status: 431, why: 'Host and 100 more make 101 fields: RFC 6585 §5, 431 Request Header Fields Too Large; at most 100, as Apache\'s LimitRequestFields.' })
    over.client.destroy()
  })
})

describe('malformed requests get 400 and the server stays up', () => {
  // The fourth element is the explainer section that teaches the rule (the test's hint).
  const cases: [name: string, request: string, why: string, section: string][] = [
    ['a request line with two parts', 'GET /\r\nHost: x\r\n\r\n', 'RFC 9112 §3: method SP target SP version.', 'chapters/03-http-parse/README.md#the-request-line-rfc-9112-3'],
    ['a request line with four parts', 'GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n', 'RFC 9112 §3: exactly three parts.', 'chapters/03-http-parse/README.md#the-request-line-rfc-9112-3'],
    ['two spaces in the request line', 'GET  / HTTP/1.1\r\nHost: x\r\n\r\n', 'RFC 9112 §3: a single space between the parts.', 'chapters/03-http-parse/README.md#the-request-line-rfc-9112-3'],
    ['a version that is not HTTP/x.y', 'GET / HTTX/1.1\r\nHost: x\r\n\r\n', 'RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT.', 'chapters/03-http-parse/README.md#the-request-line-rfc-9112-3'],
    ['a header without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n', 'RFC 9112 §5: field-name ":" field-value.', 'chapters/03-http-parse/README.md#header-fields-rfc-9112-5'],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 'RFC 9112 §5.1: a server MUST reject whitespace between the field name and the colon with 400.', 'chapters/03-http-parse/README.md#header-fields-rfc-9112-5'],
    ['Content-Length with letters', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 'RFC 9110 §8.6: Content-Length = 1*DIGIT.', 'chapters/03-http-parse/README.md#the-body-exactly-how-many-bytes-rfc-9112-6'],
    ['a negative Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\nhello', 'RFC 9110 §8.6: Content-Length = 1*DIGIT; no sign.', 'chapters/03-http-parse/README.md#the-body-exactly-how-many-bytes-rfc-9112-6'],
    ['two different Content-Length values', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nhello', 'RFC 9112 §6.3: differing lengths are an unrecoverable framing error.', 'chapters/03-http-parse/README.md#the-body-exactly-how-many-bytes-rfc-9112-6'],
    ['HTTP/1.1 without Host', 'GET / HTTP/1.1\r\nUser-Agent: x\r\n\r\n', 'RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without Host.', 'chapters/03-http-parse/README.md#header-fields-rfc-9112-5'],
  ]
  for (const [name, request, why, section] of cases) {
    it(`${name} gets 400`, hint(section), async () => {
      const ex = await exchange(server.port, request)
      expectResponse(ex, { status: 400, why })
      ex.client.destroy()
      await expectPage('whole', GET, 'After a bad request the server must still answer the next client.')
    })
  }
})
