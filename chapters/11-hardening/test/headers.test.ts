// Chapter 11, black-box: header fields (RFC 9112 §5, RFC 9110 §5). A field the server reads one way
// and a proxy another is how requests are smuggled, so every doubtful line is a 400 and a close.

import { describe, it } from 'vitest'
import { hint } from '../../../scripts/kit/index.ts'
import { expectAnswerKeptOpen, expectOneAnswerThenClose, get, serveChapter } from './wire.ts'

const served = serveChapter()
const FOLLOWER = get('/notes.txt')

// [name, header lines after Host (each ending in CRLF), why]: each is 400 and the close.
const MALFORMED: [string, string, string][] = [
  ['a tab before the colon', 'X-Test\t: 1\r\n', 'RFC 9112 §5.1: no whitespace is allowed between the field name and the colon; a server MUST reject it with 400.'],
  ['an empty field name', ': value\r\n', 'RFC 9110 §5.1: field-name = token, at least one tchar.'],
  ['a field name with a space inside', 'X Test: 1\r\n', 'RFC 9110 §5.6.2: a space is not a tchar.'],
  ['a field name with a delimiter', 'X(Test): 1\r\n', 'RFC 9110 §5.6.2: "(" is a delimiter, not a tchar.'],
  ['a field name with a non-ASCII byte', 'X-T\xe9st: 1\r\n', 'RFC 9110 §5.6.2: tchar is ASCII; llhttp rejects it too.'],
  ['a line without a colon', 'X-Test\r\n', 'RFC 9112 §5: field-line = field-name ":" OWS field-value OWS.'],
  ['a NUL in a value', 'X-Test: a\x00b\r\n', 'RFC 9110 §5.5: a recipient of CR, LF or NUL in a field value MUST reject the message or replace them.'],
  ['a control character in a value', 'X-Test: a\x01b\r\n', 'RFC 9110 §5.5: field-vchar is VCHAR or obs-text; llhttp rejects controls.'],
  ['an escape character in a value', 'X-Test: \x1b[31mred\r\n', 'RFC 9110 §5.5: ESC is a control; a value that paints a log terminal is no value.'],
  ['a DEL in a value', 'X-Test: a\x7fb\r\n', 'RFC 9110 §5.5: DEL is not a VCHAR.'],
  ['obs-fold: a continuation line', 'X-Test: a\r\n b\r\n', 'RFC 9112 §5.2: a server MUST reject obs-fold with 400 or replace it with SP; this one rejects it.'],
  ['obs-fold with a tab', 'X-Test: a\r\n\tb\r\n', 'RFC 9112 §5.2: obs-fold = OWS CRLF RWS, and a tab is RWS.'],
  ['a bare CR used to hide a header', 'X-Test: a\rTransfer-Encoding: chunked\r\n', 'RFC 9112 §2.2: a bare CR MUST be treated as invalid or replaced with SP; either way Transfer-Encoding is not a header here.'],
  ['a bare CR at the end of a value', 'X-Test: a\r\r\n', 'RFC 9112 §2.2: a bare CR is invalid anywhere in the head.'],
  ['a bare CR line between the headers and the body', '\r\r\n', 'RFC 9112 §2.2: a bare CR is not an empty line.'],
  ['a Content-Length hidden by a space before its colon', 'Content-Length : 39\r\n', 'RFC 9112 §5.1: a lenient parser would take the body for a request; the only safe answer is 400.'],
]

describe('headers', hint('chapters/03-http-parse/README.md#header-fields-rfc-9112-5'), () => {
  for (const [name, lines, why] of MALFORMED) {
    it(`${name} → 400, close`, async () => {
      await expectOneAnswerThenClose(served.port, Buffer.from(`GET /notes.txt HTTP/1.1\r\nHost: localhost\r\n${lines}\r\n${FOLLOWER}`, 'latin1'), { status: 400, why })
    })
  }

  it('whitespace between the request line and the first header → 400, close', async () => {
    await expectOneAnswerThenClose(served.port, `GET /notes.txt HTTP/1.1\r\n Host: localhost\r\n\r\n${FOLLOWER}`, {
      status: 400,
      why: 'RFC 9112 §2.2: a whitespace-preceded line after the start-line MUST be rejected or ignored; a proxy that ignores it and a server that reads it disagree about Host.',
    })
  })

  it('a bare LF among CRLF lines, hiding a Content-Length: 400, close, its "body" never answered', hint('chapters/11-hardening/README.md#mixed-line-endings'), async () => {
    const hidden = get('/app.js') // bytes that look like a request
    await expectOneAnswerThenClose(served.port, `GET /notes.txt HTTP/1.1\r\nHost: localhost\r\nX-Pad: a\nContent-Length: ${hidden.length}\r\n\r\n${hidden}${get('/style.css')}`, {
      status: 400,
      why: 'RFC 9112 §2.2: a recipient MAY take a bare LF as a line end; one that does not reads "X-Pad" as holding "a\\nContent-Length: 25" and the next bytes as a request. A head that mixes the two is refused, so no two readers can disagree.',
    })
  })

  it('a bare LF among CRLF lines, hiding a Transfer-Encoding: 400, close', hint('chapters/11-hardening/README.md#mixed-line-endings'), async () => {
    await expectOneAnswerThenClose(served.port, `POST /api/logout HTTP/1.1\r\nHost: localhost\r\nX-Pad: a\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${FOLLOWER}`, {
      status: 400,
      why: 'RFC 9112 §2.2 and §11.2: whether "Transfer-Encoding" is a field depends on the reader; a head with one kind of line end leaves no doubt, a mixed one is refused.',
    })
  })

  it('a header block over the default limit (16 KiB) → 431, close', hint('chapters/03-http-parse/README.md#lines-of-the-head'), async () => {
    await expectOneAnswerThenClose(served.port, `GET /notes.txt HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'b'.repeat(17 * 1024)}\r\n\r\n${FOLLOWER}`, {
      status: 431,
      why: 'RFC 6585 §5: 431 when the header fields are too large; the limit is 16 KiB, as Node\'s http.maxHeaderSize.',
    })
  })

  it('thousands of tiny headers → 431, close', hint('chapters/03-http-parse/README.md#lines-of-the-head'), async () => {
    const tiny = Array.from({ length: 5000 }, (_, i) => `a${i}:b\r\n`).join('')
    await expectOneAnswerThenClose(served.port, `GET /notes.txt HTTP/1.1\r\nHost: localhost\r\n${tiny}\r\n${FOLLOWER}`, {
      status: 431,
      why: 'RFC 6585 §5: too many fields is too large too; at most 100, as Apache\'s LimitRequestFields, so that 5000 cheap lines cost the server nothing.',
    })
  })

  it('exactly the limit of 100 fields is served; one more is 431', hint('chapters/03-http-parse/README.md#lines-of-the-head'), async () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `X-F${i}: ${i}\r\n`).join('')
    const client = await expectAnswerKeptOpen(served.port, `GET /notes.txt HTTP/1.1\r\nHost: localhost\r\n${fields(99)}\r\n`, { status: 200, why: 'Host and 99 more make 100 fields: at the limit, not over it.' })
    client.destroy()
    await expectOneAnswerThenClose(served.port, `GET /notes.txt HTTP/1.1\r\nHost: localhost\r\n${fields(100)}\r\n`, { status: 431, why: 'Host and 100 more make 101 fields: over the limit of 100.' })
  })

  it('field names are case-insensitive and values lose their surrounding whitespace', async () => {
    const client = await expectAnswerKeptOpen(served.port, 'GET /notes.txt HTTP/1.1\r\nhOsT: \t localhost \t\r\nCONNECTION:   keep-alive  \r\n\r\n', {
      status: 200,
      why: 'RFC 9110 §5.1: field names are case-insensitive; RFC 9112 §5: OWS around the value is not part of it.',
    })
    client.destroy()
  })

  it('obs-text (bytes 0x80-0xFF) in a value is accepted', hint('chapters/03-http-parse/README.md#lines-of-the-head'), async () => {
    const client = await expectAnswerKeptOpen(served.port, Buffer.from('GET /notes.txt HTTP/1.1\r\nHost: localhost\r\nX-Name: caf\xe9 \xff\r\n\r\n', 'latin1'), {
      status: 200,
      why: 'RFC 9110 §5.5: field-vchar includes obs-text; a recipient treats it as opaque data.',
    })
    client.destroy()
  })

  it('the server still answers a good request after all that', async () => {
    const client = await expectAnswerKeptOpen(served.port, get('/notes.txt'), { status: 200, body: served.site.files.get('/notes.txt')!, why: 'No bad header may hurt the server.' })
    client.destroy()
  })
})
