// Chapter 09, black-box: Range requests (RFC 9110 §14). Accept-Ranges on files; one range of
// each form answered with 206 and exactly those bytes; 416 for a range past the end; an invalid
// Range ignored; If-Range; ranges pipelined on a kept connection; a download cut off and resumed.

import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest'
import { RawClient, createSite, exchange, expectBytes, expectResponse, explain, header, hint, repoRoot, startServer, type Exchange, type FixtureSite, type HttpResponse, type RunningServer } from '../../../scripts/kit/index.ts'

const USERS = path.join(repoRoot, 'chapters', '09-caching', 'users.json')
const LETTERS = Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789\n') // 37 bytes, each one easy to find
const BIG_BYTES = 3 * 1024 * 1024 + 12_345 // large enough to be streamed from disk, never sent in one piece
const CUT_AFTER = 1_000_003 // where the first download of big.bin is cut short

let site: FixtureSite
let server: RunningServer
let big: Buffer
beforeAll(async () => {
  site = createSite()
  writeFileSync(path.join(site.root, 'letters.txt'), LETTERS)
  big = randomBytes(BIG_BYTES)
  writeFileSync(path.join(site.root, 'big.bin'), big)
  server = await startServer({ reference: 'chapters/09-caching', root: site.root, users: USERS })
})
afterAll(async () => {
  await server?.stop()
  site?.cleanup()
})
afterEach(() => RawClient.destroyAll())

const request = (target: string, extra = '', method = 'GET') => `${method} ${target} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`
const get = (target: string, extra = '') => exchange(server.port, request(target, `Connection: close\r\n${extra}`))
const range = (spec: string, extra = '') => get('/letters.txt', `Range: ${spec}\r\n${extra}`)
const size = LETTERS.length

/** 206 with Content-Range "bytes start-end/size", Content-Length and exactly those bytes of the file. */
function expectPartial(ex: Exchange, start: number, end: number, whole: Buffer, why: string): void {
  expectResponse(ex, {
    status: 206,
    headers: { 'content-range': `bytes ${start}-${end}/${whole.length}`, 'content-length': String(end - start + 1) },
    body: whole.subarray(start, end + 1),
    why,
  })
}

/** The whole file, as if there had been no Range header. */
function expectWhole(ex: Exchange, why: string): void {
  expectResponse(ex, { status: 200, headers: { 'content-range': null, 'content-length': String(size) }, body: LETTERS, why })
}

describe('range requests', hint('chapters/09-caching/README.md#range-requests'), () => {
  it('a file response says Accept-Ranges: bytes', async () => {
    expectResponse(await get('/letters.txt'), { status: 200, headers: { 'accept-ranges': 'bytes' }, body: LETTERS, why: 'RFC 9110 §14.3: Accept-Ranges tells the client it may ask for part of this file.' })
  })

  it('bytes=0-9: 206, the first ten bytes, Content-Range and Content-Length', async () => {
    expectPartial(await range('bytes=0-9'), 0, 9, LETTERS, 'RFC 9110 §14.1.2, §15.3.7: first-last, both included: ten bytes, and Content-Range says which of how many.')
  })

  it('bytes=10-19 from the middle, and bytes=36-36, the last byte alone', async () => {
    expectPartial(await range('bytes=10-19'), 10, 19, LETTERS, 'RFC 9110 §14.1.2: bytes 10 to 19 of the file, and nothing else.')
    expectPartial(await range('bytes=36-36'), 36, 36, LETTERS, 'RFC 9110 §14.1.2: a one-byte range.')
  })

  it('bytes=30-: from byte 30 to the end', async () => {
    expectPartial(await range('bytes=30-'), 30, size - 1, LETTERS, 'RFC 9110 §14.1.2: with no last position, the range runs to the end of the file.')
  })

  it('bytes=-5: the last five bytes (a suffix range)', async () => {
    expectPartial(await range('bytes=-5'), size - 5, size - 1, LETTERS, 'RFC 9110 §14.1.2: "-5" is a suffix: the final five bytes, however long the file is.')
  })

  it('a last position past the end, or a suffix longer than the file, is cut to the file', async () => {
    expectPartial(await range('bytes=20-999999'), 20, size - 1, LETTERS, 'RFC 9110 §14.1.2: a last-pos at or past the end means the rest of the file.')
    expectPartial(await range('bytes=-1000'), 0, size - 1, LETTERS, 'RFC 9110 §14.1.3: a suffix longer than the file is the whole file, as a 206.')
  })

  it('a range that starts past the end: 416 with Content-Range bytes */size', async () => {
    for (const spec of [`bytes=${size}-`, 'bytes=999999999-', `bytes=${size}-${size + 10}`]) {
      expectResponse(await range(spec), {
        status: 416,
        headers: { 'content-range': `bytes */${size}` },
        why: `RFC 9110 §15.5.17: none of the bytes of "${spec}" exist; Content-Range "bytes */${size}" tells the client how long the file is.`,
      })
    }
  })

  it('a Range that is not valid is ignored: 200 with the whole file', async () => {
    for (const spec of ['bytes=9-3', 'bytes=abc', 'bytes=-', 'bytes 0-9', 'pages=0-9', 'bytes=0-9x']) {
      expectWhole(await range(spec), `RFC 9110 §14.2: a server MUST ignore a Range header that is not valid; "${spec}" is not, so the whole file.`)
    }
  })

  it('a Range on a file that does not exist is still a 404', async () => {
    expectResponse(await get('/missing.txt', 'Range: bytes=0-9\r\n'), { status: 404, headers: { 'content-range': null }, why: 'RFC 9110 §14.2: a range of nothing is nothing: the file is not found.' })
  })

  it('HEAD with Range: the 206\'s headers, no body, and the next response framed right', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(request('/letters.txt', 'Range: bytes=0-9\r\n', 'HEAD') + request('/notes.txt'))
    const head = await client.readResponse({ head: true })
    expectResponse({ client, response: head }, { status: 206, headers: { 'content-range': `bytes 0-9/${size}`, 'content-length': '10' }, why: 'RFC 9110 §9.3.2: HEAD answers with the headers GET would have, here a 206\'s.' })
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: site.files.get('/notes.txt')!, why: 'RFC 9110 §9.3.2: a HEAD response has no body, even a 206: the next response starts right after its head.' })
  })

  it('a Range with If-None-Match of the current ETag: 304 first', async () => {
    const etag = header((await get('/letters.txt')).response, 'etag')!
    expectResponse(await range('bytes=0-9', `If-None-Match: ${etag}\r\n`), { status: 304, body: '', why: 'RFC 9110 §13.2.2: preconditions come before Range: the client has the file already.' })
  })
})

describe('one range, or the whole file', hint('chapters/09-caching/README.md#one-range-or-the-whole-file'), () => {
  it('two ranges: the whole file with 200, or a multipart/byteranges 206 with both parts', async () => {
    const ex = await range('bytes=0-1,5-6')
    if (ex.response.status === 200) return expectWhole(ex, 'RFC 9110 §14.2: a server MAY ignore Range; then it sends the whole file.')
    expectResponse(ex, { status: 206, headers: { 'content-type': /^multipart\/byteranges;\s*boundary=/i }, why: 'RFC 9110 §14.6: several ranges in one 206 come as multipart/byteranges.' })
    const parts = partsOf(ex.response)
    const expected = [`bytes 0-1/${size}:ab`, `bytes 5-6/${size}:fg`]
    if (parts.join('|') !== expected.join('|')) throw new Error(explain(ex.client, 'RFC 9110 §14.6: each part has its Content-Range and exactly its bytes.', expected, parts))
  })

  it('many overlapping ranges (the Apache Killer, CVE-2011-3192) never make the answer bigger than the file', async () => {
    const spec = `bytes=0-,${Array.from({ length: 200 }, (_, i) => `${i % 30}-`).join(',')}`
    const ex = await range(spec)
    if (ex.response.status === 206 || ex.response.body.length > 2 * size) {
      throw new Error(explain(ex.client, 'RFC 9110 §14.2: a server MAY ignore or reject many overlapping ranges; it must not send the file 200 times.', ['200 with the whole file, or 416'], [`${ex.response.status} with ${ex.response.body.length} bytes`]))
    }
  })
})

describe('If-Range', hint('chapters/09-caching/README.md#if-range'), () => {
  it('with the current ETag, the range is served', async () => {
    const etag = header((await get('/letters.txt')).response, 'etag')!
    expectPartial(await range('bytes=0-9', `If-Range: ${etag}\r\n`), 0, 9, LETTERS, 'RFC 9110 §13.1.5: the client\'s copy is this one, so it gets the part it lacks. (A weak ETag would never pass here: If-Range compares strongly.)')
  })

  it('with an old ETag, or the current one marked weak, the whole file with 200', async () => {
    const etag = header((await get('/letters.txt')).response, 'etag')!
    expectWhole(await range('bytes=0-9', 'If-Range: "an-older-version"\r\n'), 'RFC 9110 §13.1.5: the client\'s copy is another version: a part of this one would not fit it; send everything.')
    expectWhole(await range('bytes=0-9', `If-Range: W/${etag.replace(/^W\//, '')}\r\n`), 'RFC 9110 §13.1.5, §8.8.3.2: If-Range compares strongly; a weak tag never matches.')
  })

  it('with the Last-Modified date, the range; with another date, the whole file', async () => {
    const lastModified = header((await get('/letters.txt')).response, 'last-modified')!
    expectPartial(await range('bytes=5-', `If-Range: ${lastModified}\r\n`), 5, size - 1, LETTERS, 'RFC 9110 §13.1.5: a date that is exactly the Last-Modified: the copy is current.')
    expectWhole(await range('bytes=5-', 'If-Range: Sat, 01 Jan 2000 00:00:00 GMT\r\n'), 'RFC 9110 §13.1.5: another date: the copy is not current; the whole file.')
  })
})

describe('ranges on a kept-alive connection', hint('chapters/09-caching/README.md#range-requests'), () => {
  it('GET, GET with Range, GET, in one write: three responses in order, each framed by its Content-Length', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(request('/notes.txt') + request('/letters.txt', 'Range: bytes=26-35\r\n') + request('/style.css'))
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: site.files.get('/notes.txt')! })
    expectResponse({ client, response: await client.readResponse() }, { status: 206, headers: { 'content-range': `bytes 26-35/${size}`, 'content-length': '10' }, body: '0123456789', why: 'RFC 9112 §9.3.2: the ranged answer comes second, with Content-Length the length of the range, not of the file.' })
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: site.files.get('/style.css')!, why: 'RFC 9112 §6.3: a 206 sends exactly Content-Length bytes; one more or less, and this response would be misread.' })
  })
})

describe('resuming a download', hint('chapters/09-caching/README.md#resuming-a-download'), () => {
  it('a download cut short after N bytes is completed by Range: bytes=N-, byte for byte', async () => {
    const first = await RawClient.connect(server.port)
    await first.send(request('/big.bin'))
    let head = ''
    for (let line = ''; line !== '\r\n'; head += line) line = (await first.readLine()).toString('latin1')
    const etag = /^etag:\s*(.*?)\s*$/im.exec(head)?.[1]
    const have = await first.readBytes(CUT_AFTER)
    first.destroy() // the network went away
    expectBytes(first, have.subarray(0, 16), big.subarray(0, 16), 'The first download starts with the file\'s first bytes.')

    const second = await RawClient.connect(server.port)
    await second.send(request('/big.bin', `Range: bytes=${CUT_AFTER}-\r\n${etag ? `If-Range: ${etag}\r\n` : ''}Connection: close\r\n`))
    const rest = await second.readResponse()
    expectResponse({ client: second, response: rest }, {
      status: 206,
      headers: { 'content-range': `bytes ${CUT_AFTER}-${BIG_BYTES - 1}/${BIG_BYTES}`, 'content-length': String(BIG_BYTES - CUT_AFTER) },
      why: 'RFC 9110 §14.1.2, §13.1.5: the rest of the file, from the first byte the client does not have, if its copy is still the current one.',
    })
    if (!Buffer.concat([have, rest.body]).equals(big)) {
      throw new Error(explain(second, 'RFC 9110 §14: the bytes of a range are the file\'s bytes at those offsets.', [`the ${BIG_BYTES} bytes of big.bin, once the two parts are joined`], ['they differ']))
    }
  })
})

/** The parts of a multipart/byteranges body, each as "Content-Range:bytes". */
function partsOf(response: HttpResponse): string[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(header(response, 'content-type') ?? '')?.[1] ?? ''
  return response.body.toString('latin1').split(`--${boundary}`).slice(1, -1).map((part) => {
    const [head = '', body = ''] = part.replace(/^\r\n/, '').split('\r\n\r\n')
    return `${/content-range:\s*(.*)/i.exec(head)?.[1]?.trim()}:${body.replace(/\r\n$/, '')}`
  })
}
