// Chapter 11, black-box: the Host header (RFC 9112 §3.2). "A server MUST respond with a 400 (Bad
// Request) status code to any HTTP/1.1 request message that lacks a Host header field and to any
// request message that contains more than one Host header field line or a Host header field with
// an invalid field value."

import { describe, it } from 'vitest'
import { hint } from '../../../scripts/kit/index.ts'
import { expectAnswerKeptOpen, expectOneAnswerThenClose, get, serveChapter } from './wire.ts'

const served = serveChapter()
const FOLLOWER = get('/notes.txt')

// [name, header lines (each ending in CRLF), why]: each is 400 and the close.
const INVALID: [string, string, string][] = [
  ['no Host in HTTP/1.1', '', 'RFC 9112 §3.2: an HTTP/1.1 request without Host MUST get 400.'],
  ['two Host lines with the same value', 'Host: localhost\r\nHost: localhost\r\n', 'RFC 9112 §3.2: more than one Host field line MUST get 400, even when they agree.'],
  ['two Host lines that differ', 'Host: localhost\r\nHost: evil.example\r\n', 'RFC 9112 §3.2: two hosts is a request a cache and an origin can disagree about.'],
  ['two hosts in one line', 'Host: localhost, evil.example\r\n', 'RFC 9110 §7.2: Host is a single uri-host [ ":" port ], not a list.'],
  ['a space inside the host', 'Host: local host\r\n', 'RFC 3986 §3.2.2: a reg-name has no spaces.'],
  ['userinfo in the host', 'Host: user@localhost\r\n', 'RFC 9110 §7.2: Host = uri-host [ ":" port ]; no userinfo.'],
  ['a path in the host', 'Host: localhost/admin\r\n', 'RFC 9110 §7.2: no path in Host.'],
  ['two ports', 'Host: localhost:80:81\r\n', 'RFC 3986 §3.2.3: one port.'],
  ['a port that is not digits', 'Host: localhost:http\r\n', 'RFC 3986 §3.2.3: port = *DIGIT.'],
  ['an IPv6 literal without its closing bracket', 'Host: [::1\r\n', 'RFC 3986 §3.2.2: IP-literal = "[" ( IPv6address / IPvFuture ) "]".'],
  ['a NUL in the host', 'Host: local\x00host\r\n', 'RFC 9110 §5.5: a NUL in a field value MUST be rejected or replaced.'],
  ['Host with a space before the colon', 'Host : localhost\r\n', 'RFC 9112 §5.1: whitespace before the colon MUST get 400; a lenient parser would see a second, hidden Host.'],
]

describe('Host', hint('chapters/03-http-parse/README.md#header-fields-rfc-9112-5'), () => {
  for (const [name, lines, why] of INVALID) {
    it(`${name} → 400, close`, async () => {
      await expectOneAnswerThenClose(served.port, Buffer.from(`GET /notes.txt HTTP/1.1\r\n${lines}\r\n${FOLLOWER}`, 'latin1'), { status: 400, why })
    })
  }

  // [host value, why]: each is accepted.
  const VALID: [string, string][] = [
    ['localhost', 'a reg-name'],
    ['localhost:8888', 'a reg-name and a port'],
    ['127.0.0.1:80', 'an IPv4 address and a port'],
    ['[::1]:8888', 'an IPv6 literal in brackets, and a port'],
    ['', 'RFC 9112 §3.2: an empty Host is what a client sends when the target URI has no authority'],
    ['LOCALHOST', 'RFC 3986 §3.2.2: the host is case-insensitive'],
  ]
  for (const [host, why] of VALID) {
    it(`a valid Host ${JSON.stringify(host)} (${why}) is served`, async () => {
      const client = await expectAnswerKeptOpen(served.port, `GET /notes.txt HTTP/1.1\r\nHost: ${host}\r\n\r\n`, { status: 200, why: `RFC 9110 §7.2: ${why}.` })
      client.destroy()
    })
  }

  it('HTTP/1.0 without Host is served', async () => {
    await expectOneAnswerThenClose(served.port, 'GET /notes.txt HTTP/1.0\r\n\r\n', { status: 200, why: 'RFC 9112 §3.2: Host is required from HTTP/1.1 on; HTTP/1.0 closes after its response.' })
  })

  it('absolute-form: the target names the host, and a different Host does not change the answer', hint('chapters/05-static-files/README.md#from-a-path-to-a-file'), async () => {
    const client = await expectAnswerKeptOpen(served.port, 'GET http://localhost/notes.txt HTTP/1.1\r\nHost: other.example\r\n\r\n', {
      status: 200,
      body: served.site.files.get('/notes.txt')!,
      why: 'RFC 9112 §3.2.2: with the absolute-form, the server MUST ignore the Host header and use the target\'s host.',
    })
    client.destroy()
  })
})
