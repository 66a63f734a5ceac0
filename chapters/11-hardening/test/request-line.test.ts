// Chapter 11, black-box: the request line (RFC 9112 §3). Each malformed line is followed by a good
// request in the same write: the bad one gets its answer and the close, the good one never an answer.

import { describe, it } from 'vitest'
import { expectResponse, hint } from '../../../scripts/kit/index.ts'
import { expectAnswerKeptOpen, expectOneAnswerThenClose, get, serveChapter } from './wire.ts'

const served = serveChapter()
const FOLLOWER = get('/notes.txt') // must never be answered after a request line that failed

// [name, request line (CRLF added), why]: each one is 400 and the close.
const MALFORMED: [string, string, string][] = [
  ['HTTP/0.9 form "GET /" (no version)', 'GET /', 'RFC 9112 §3: method SP request-target SP HTTP-version; HTTP/0.9 has no headers to frame a request with.'],
  ['a missing target "GET HTTP/1.1"', 'GET HTTP/1.1', 'RFC 9112 §3: three parts, separated by single spaces.'],
  ['a missing method "/ HTTP/1.1"', '/ HTTP/1.1', 'RFC 9112 §3: three parts.'],
  ['an extra part', 'GET / HTTP/1.1 extra', 'RFC 9112 §3: three parts, no more.'],
  ['two spaces between method and target', 'GET  / HTTP/1.1', 'RFC 9112 §3: exactly one SP; an empty target is no target.'],
  ['a tab instead of a space', 'GET\t/ HTTP/1.1', 'RFC 9112 §3: the separator is SP; llhttp rejects a tab here too.'],
  ['a space before the method', ' GET / HTTP/1.1', 'RFC 9112 §3: the line starts with the method token.'],
  ['a space after the version', 'GET / HTTP/1.1 ', 'RFC 9112 §3: nothing after HTTP-version.'],
  ['a method that is not a token ("G@T")', 'G@T / HTTP/1.1', 'RFC 9110 §9.1: method = token; "@" is a delimiter, not a tchar.'],
  ['a method with a non-ASCII byte', 'G\xc9T / HTTP/1.1', 'RFC 9110 §5.6.2: tchar is ASCII only.'],
  ['a NUL in the target', 'GET /notes.txt\x00.html HTTP/1.1', 'RFC 9112 §3.2: a NUL is no URI character; a C library would stop reading at it.'],
  ['a bare CR in the target', 'GET /no\rtes.txt HTTP/1.1', 'RFC 9112 §2.2: a bare CR is invalid anywhere in the head.'],
  ['a DEL in the target', 'GET /notes\x7f.txt HTTP/1.1', 'RFC 3986 §2: DEL is not a URI character; llhttp rejects it.'],
  ['a control character in the target', 'GET /notes\x01.txt HTTP/1.1', 'RFC 3986 §2: controls are not URI characters.'],
  ['the version "HTTP/1"', 'GET / HTTP/1', 'RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT.'],
  ['the version "HTTP/01.1"', 'GET / HTTP/01.1', 'RFC 9112 §2.3: one digit before the dot; llhttp rejects a leading zero.'],
  ['the version "HTTP/1.10"', 'GET / HTTP/1.10', 'RFC 9112 §2.3: one digit after the dot.'],
  ['the version in lower case "http/1.1"', 'GET / http/1.1', 'RFC 9112 §2.3: HTTP-name is case-sensitive.'],
  ['"GET *" (asterisk-form is for OPTIONS only)', 'GET * HTTP/1.1', 'RFC 9112 §3.2.4: the asterisk-form is only used for a server-wide OPTIONS request.'],
  ['"GET host:port" (authority-form is for CONNECT only)', 'GET localhost:80 HTTP/1.1', 'RFC 9112 §3.2.3: the authority-form is only used for CONNECT requests.'],
  ['a target that is not a path ("GET notes.txt")', 'GET notes.txt HTTP/1.1', 'RFC 9112 §3.2.1: the origin-form starts with "/".'],
]

describe('request line', hint('chapters/03-http-parse/README.md#the-request-line-rfc-9112-3'), () => {
  for (const [name, line, why] of MALFORMED) {
    it(`${name} → 400, close, nothing after it answered`, async () => {
      await expectOneAnswerThenClose(served.port, Buffer.from(`${line}\r\nHost: localhost\r\n\r\n${FOLLOWER}`, 'latin1'), { status: 400, why })
    })
  }

  it('HTTP/2.0 in an HTTP/1.1 request line → 505, close', hint('chapters/04-responses/README.md#which-status-code'), async () => {
    await expectOneAnswerThenClose(served.port, `GET / HTTP/2.0\r\nHost: localhost\r\n\r\n${FOLLOWER}`, {
      status: 505,
      why: 'RFC 9110 §15.6.6: 505 for a major version the server does not support; its headers cannot be trusted to frame the rest.',
    })
  })

  it('a lower-case method "get" → 501 (methods are case-sensitive), and the connection stays usable', hint('chapters/04-responses/README.md#which-status-code'), async () => {
    const client = await expectAnswerKeptOpen(served.port, get('/notes.txt').replace('GET', 'get'), {
      status: 501,
      why: 'RFC 9110 §9.1: the method token is case-sensitive; "get" is a well-formed request for a method this server does not know (§15.6.2).',
    })
    await client.send(get('/notes.txt'))
    expectResponse({ client, response: await client.readResponse() }, { status: 200, why: 'A 501 is an answer to a complete request: the next one on the connection is served.' })
    client.destroy()
  })

  it('absolute-form "GET http://host/path" is accepted', hint('chapters/05-static-files/README.md#from-a-path-to-a-file'), async () => {
    const client = await expectAnswerKeptOpen(served.port, 'GET http://localhost/notes.txt HTTP/1.1\r\nHost: localhost\r\n\r\n', {
      status: 200,
      body: served.site.files.get('/notes.txt')!,
      why: 'RFC 9112 §3.2.2: a server MUST accept the absolute-form in requests.',
    })
    client.destroy()
  })

  it('absolute-form with an upper-case scheme is the same resource', hint('chapters/05-static-files/README.md#from-a-path-to-a-file'), async () => {
    const client = await expectAnswerKeptOpen(served.port, 'GET HTTP://localhost/notes.txt HTTP/1.1\r\nHost: localhost\r\n\r\n', {
      status: 200,
      body: served.site.files.get('/notes.txt')!,
      why: 'RFC 3986 §3.1: the scheme is case-insensitive.',
    })
    client.destroy()
  })

  it('absolute-form with an empty path and a query serves "/"', hint('chapters/05-static-files/README.md#from-a-path-to-a-file'), async () => {
    const client = await expectAnswerKeptOpen(served.port, 'GET http://localhost?lang=en HTTP/1.1\r\nHost: localhost\r\n\r\n', {
      status: 200,
      body: served.site.files.get('/index.html')!,
      why: 'RFC 9112 §3.2.2 and RFC 3986 §3.3: "http://host?query" has an empty path, which is "/" (RFC 9110 §4.2.3).',
    })
    client.destroy()
  })

  it('one empty line before the request line is ignored', hint('chapters/03-http-parse/README.md#lines-of-the-head'), async () => {
    const client = await expectAnswerKeptOpen(served.port, `\r\n${get('/notes.txt')}`, { status: 200, why: 'RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line.' })
    client.destroy()
  })

  it('a few empty lines, CRLF and bare LF, before the request line are ignored', hint('chapters/03-http-parse/README.md#lines-of-the-head'), async () => {
    const client = await expectAnswerKeptOpen(served.port, `\r\n\n\r\n${get('/notes.txt')}`, { status: 200, why: 'RFC 9112 §2.2: empty lines before the request line are ignored; a bare LF MAY end a line.' })
    client.destroy()
  })

  it('the server still answers a good request after all that', async () => {
    const client = await expectAnswerKeptOpen(served.port, get('/notes.txt'), { status: 200, body: served.site.files.get('/notes.txt')!, why: 'No bad request line may hurt the server.' })
    client.destroy()
  })
})
