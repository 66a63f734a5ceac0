// Chapter 11, black-box: message framing (RFC 9112 §6, RFC 9110 §8.6). Where a body ends is where the
// next request starts; a server that guesses can be made to answer a request hidden in a body
// (request smuggling). So every doubtful length is a 400 and a close, and each case below puts a
// request in the body to show that it is never answered.

import { describe, expect, it } from 'vitest'
import { RawClient, expectResponse, hint } from '../../../scripts/kit/index.ts'
import { expectAnswerKeptOpen, expectOneAnswerThenClose, get, serveChapter } from './wire.ts'

const served = serveChapter({ REQUEST_TIMEOUT_MS: '500' })
const SMUGGLED = get('/notes.txt') // inside a body: must never be answered
const post = (fields: string, body = SMUGGLED) => `POST /api/logout HTTP/1.1\r\nHost: localhost\r\n${fields}\r\n${body}`

// [Content-Length value, why]: each is 400 and the close.
const BAD_LENGTHS: [string, string][] = [
  ['-5', 'RFC 9110 §8.6: Content-Length = 1*DIGIT; no sign.'],
  ['+5', 'RFC 9110 §8.6: no sign, not even "+" (JavaScript\'s Number("+5") is 5).'],
  ['0x5', 'RFC 9110 §8.6: decimal digits only (Number("0x5") is 5).'],
  ['5.0', 'RFC 9110 §8.6: a whole number of bytes.'],
  ['1e1', 'RFC 9110 §8.6: no exponent (Number("1e1") is 10).'],
  ['1 0', 'RFC 9110 §8.6: one number; a parser that drops the space reads 10.'],
  ['', 'RFC 9110 §8.6: an empty Content-Length is no length (Number("") is 0).'],
  ['99999999999999999999', 'RFC 9110 §8.6: a recipient MUST prevent integer overflow when it parses a length; this server refuses more than 15 digits outright.'],
  ['00000000000000000005', 'RFC 9110 §8.6: the same rule by digits, not value: 20 digits are refused before any arithmetic, whatever they add up to.'],
  ['5, 6', 'RFC 9112 §6.3: a list of different lengths is an unrecoverable framing error.'],
  ['5,', 'RFC 9112 §6.3: a list with an empty member is not a list of valid values.'],
]

describe('framing', hint('chapters/03-http-parse/README.md#the-body-exactly-how-many-bytes-rfc-9112-6'), () => {
  for (const [value, why] of BAD_LENGTHS) {
    it(`Content-Length: ${JSON.stringify(value)} → 400, close, the body never answered`, async () => {
      await expectOneAnswerThenClose(served.port, post(`Content-Length: ${value}\r\n`), { status: 400, why })
    })
  }

  it('two Content-Length lines that differ → 400, close', async () => {
    await expectOneAnswerThenClose(served.port, post('Content-Length: 5\r\nContent-Length: 6\r\n'), {
      status: 400,
      why: 'RFC 9112 §6.3: differing Content-Length values are an unrecoverable error; the server MUST answer 400 and close.',
    })
  })

  it('two identical Content-Length lines are one length', async () => {
    const client = await RawClient.connect(served.port)
    await client.send(`${post('Content-Length: 2\r\nContent-Length: 2\r\n', '{}')}${get('/style.css')}`)
    const why = 'RFC 9112 §6.3: identical values MAY be taken as that one value; the two bytes are the body and what follows is the next request.'
    expectResponse({ client, response: await client.readResponse() }, { status: 200, why })
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: served.site.files.get('/style.css')!, why })
    client.destroy()
  })

  it('Content-Length and Transfer-Encoding together → 400, close, the smuggled request never answered', async () => {
    await expectOneAnswerThenClose(served.port, post(`Content-Length: 5\r\nTransfer-Encoding: chunked\r\n`, `0\r\n\r\n${SMUGGLED}`), {
      status: 400,
      why: 'RFC 9112 §6.1: a server MAY reject a request with both, and MUST close the connection after answering it (CL.TE smuggling).',
    })
  })

  it('Transfer-Encoding before Content-Length → 400, close', async () => {
    await expectOneAnswerThenClose(served.port, post(`Transfer-Encoding: chunked\r\nContent-Length: 40\r\n`, `0\r\n\r\n${SMUGGLED}`), {
      status: 400,
      why: 'RFC 9112 §6.1: the order of the fields changes nothing (TE.CL smuggling).',
    })
  })

  it('a chunked request body is decoded, and the bytes after it are the next request', hint('chapters/10-chunked-and-compression/README.md#reading-a-chunked-request'), async () => {
    const client = await RawClient.connect(served.port)
    await client.send(post('Transfer-Encoding: chunked\r\n', `2\r\n{}\r\n0\r\n\r\n${get('/style.css')}`))
    const why = 'RFC 9112 §7.1: a recipient MUST be able to parse the chunked transfer coding; the body ends at the last chunk and the empty line after it, so what follows is the next request.'
    expectResponse({ client, response: await client.readResponse() }, { status: 200, headers: { connection: null }, why })
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: served.site.files.get('/style.css')!, why })
    client.destroy()
  })

  it('a request hidden inside a chunk is read as data, never answered', hint('chapters/10-chunked-and-compression/README.md#reading-a-chunked-request'), async () => {
    const client = await RawClient.connect(served.port)
    await client.send(post('Transfer-Encoding: chunked\r\n', `${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n${get('/style.css')}`))
    const why = 'RFC 9112 §7.1: the chunk-size counts the bytes of the chunk; a request inside them is data.'
    expectResponse({ client, response: await client.readResponse() }, { status: 200, headers: { 'set-cookie': /^sid=;/ }, why })
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: served.site.files.get('/style.css')!, why: `The second answer is for /style.css, not /notes.txt. ${why}` })
    client.destroy()
  })

  it('"Transfer-Encoding: Chunked" is chunked: coding names are case-insensitive', hint('chapters/10-chunked-and-compression/README.md#reading-a-chunked-request'), async () => {
    const client = await RawClient.connect(served.port)
    await client.send(post('Transfer-Encoding: Chunked\r\n', `0\r\n\r\n${get('/style.css')}`))
    const why = 'RFC 9112 §7: transfer-coding names are case-insensitive; "Chunked" frames the body as chunked does.'
    expectResponse({ client, response: await client.readResponse() }, { status: 200, why })
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: served.site.files.get('/style.css')!, why })
    client.destroy()
  })

  it('Transfer-Encoding: gzip, chunked → 501, close: the server does not decode gzip bodies', hint('chapters/10-chunked-and-compression/README.md#reading-a-chunked-request'), async () => {
    await expectOneAnswerThenClose(served.port, post('Transfer-Encoding: gzip, chunked\r\n', `0\r\n\r\n${SMUGGLED}`), {
      status: 501,
      why: 'RFC 9112 §6.1: a server that receives a transfer coding it does not understand SHOULD answer 501, and it closes, since it cannot read the body it did not decode.',
    })
  })

  // [value, why]: chunked is not the final coding, so the length cannot be known: 400 and close.
  const NOT_FINAL_CHUNKED: [string, string][] = [
    ['gzip', 'an unknown coding alone'],
    ['chunked, gzip', 'chunked, but not last'],
    ['xchunked', 'a name that merely contains "chunked"'],
    ['identity', 'a coding RFC 9112 no longer has'],
  ]
  for (const [value, what] of NOT_FINAL_CHUNKED) {
    it(`Transfer-Encoding: ${value} (${what}) → 400, close`, async () => {
      await expectOneAnswerThenClose(served.port, post(`Transfer-Encoding: ${value}\r\n`, `0\r\n\r\n${SMUGGLED}`), {
        status: 400,
        why: 'RFC 9112 §6.3: if a request has Transfer-Encoding and chunked is not the final coding, the server MUST respond with 400 and then close the connection.',
      })
    })
  }

  it('Transfer-Encoding in an HTTP/1.0 request → 400, close', async () => {
    await expectOneAnswerThenClose(served.port, `POST /api/logout HTTP/1.0\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n0\r\n\r\n${SMUGGLED}`, {
      status: 400,
      why: 'RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding MUST be treated as having faulty framing, and the connection closed.',
    })
  })

  it('Transfer-Encoding twice → 400, close', async () => {
    await expectOneAnswerThenClose(served.port, post('Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', `0\r\n\r\n${SMUGGLED}`), {
      status: 400,
      why: 'RFC 9112 §6.1: a sender MUST NOT apply chunked more than once; the body length is ambiguous, so 400 and the close.',
    })
  })

  it('a GET with a body that holds a request: the body is read as a body, not answered', async () => {
    const client = await RawClient.connect(served.port)
    await client.send(`GET /notes.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}${get('/style.css')}`)
    const why = 'RFC 9112 §6.3: Content-Length frames a body on any method; a GET\'s body is read and ignored, and the next response is for the next real request.'
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: served.site.files.get('/notes.txt')!, why })
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: served.site.files.get('/style.css')!, why: `The second answer is for /style.css. ${why}` })
    client.destroy()
  })

  it('Content-Length: 0 ends the request at once; the next one follows directly', async () => {
    const client = await RawClient.connect(served.port)
    await client.send(`${post('Content-Length: 0\r\n', '')}${get('/style.css')}`)
    expectResponse({ client, response: await client.readResponse() }, { status: 200, why: 'RFC 9112 §6.3: a zero length is an empty body.' })
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: served.site.files.get('/style.css')!, why: 'RFC 9112 §9.3.2: the pipelined request after it is answered.' })
    client.destroy()
  })

  it('a body that never arrives → 408 after --request-timeout, close', hint('chapters/11-hardening/README.md#deadlines-not-idle-timers'), async () => {
    const client = await RawClient.connect(served.port)
    await client.send('POST /api/logout HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n')
    const response = await client.readResponse()
    expectResponse({ client, response }, { status: 408, headers: { connection: 'close' }, why: 'RFC 9110 §15.5.9: 408 when the request did not arrive in time; REQUEST_TIMEOUT_MS=500 here.' })
    expect(await client.waitForClose(), 'the connection closes after the 408').toBe(true)
  })

  it('a body cut short by the client\'s close is never processed as complete', async () => {
    const client = await RawClient.connect(served.port)
    await client.send('POST /api/logout HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n{}')
    client.endWriting()
    const data = await client.readUntilClose()
    expect(data.toString('latin1'), 'RFC 9112 §8: an incomplete message MAY get an error response before the close, never a success').not.toMatch(/^HTTP\/1\.1 2/)
    // And the server is still there: a server that answers nobody would pass the line above.
    const next = await RawClient.connect(served.port)
    await next.send(get('/notes.txt'))
    expectResponse({ client: next, response: await next.readResponse() }, { status: 200, why: 'The next client is served after a client that left mid-body.' })
    next.destroy()
  })

  it('Expect: 100-continue with a declared body over the limit → 413 and no 100 Continue', hint('chapters/11-hardening/README.md#expect-100-continue'), async () => {
    const response = await expectOneAnswerThenClose(served.port, 'POST /api/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 1073741824\r\n\r\n', {
      status: 413,
      why: 'RFC 9110 §10.1.1: a server MAY answer with a final status instead of 100; a 100 would invite the gigabyte it is about to refuse.',
    })
    expect(response.raw.toString('latin1')).not.toContain('100 Continue')
  })

  it('Expect: 100-continue: the 100 comes before the body is sent, then the final answer', hint('chapters/11-hardening/README.md#expect-100-continue'), async () => {
    const client = await RawClient.connect(served.port)
    await client.send('POST /api/logout HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n')
    expectResponse({ client, response: await client.readResponse() }, { status: 100, why: 'RFC 9110 §10.1.1: a server that will read the body sends 100 Continue first; the client is waiting for it.' })
    await client.send('{}')
    expectResponse({ client, response: await client.readResponse() }, { status: 200, why: 'After the body, the final response.' })
    client.destroy()
  })

  it('an expectation the server does not know → 417 Expectation Failed', hint('chapters/11-hardening/README.md#expect-100-continue'), async () => {
    const response = await expectOneAnswerThenClose(served.port, post('Expect: teapot\r\nContent-Length: 2\r\n', '{}'), {
      status: 417,
      why: 'RFC 9110 §10.1.1: a server that receives an Expect value other than 100-continue MAY answer 417.',
    })
    expect(response.reason, 'RFC 9110 §15.5.18: the reason phrase of 417 is "Expectation Failed"').toBe('Expectation Failed')
  })

  it('the server still answers a good request after all that', async () => {
    const client = await expectAnswerKeptOpen(served.port, get('/notes.txt'), { status: 200, body: served.site.files.get('/notes.txt')!, why: 'No framing error may hurt the server.' })
    client.destroy()
  })
})
