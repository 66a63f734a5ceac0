// Chapter 10, black-box: compressed responses (RFC 9110 §8.4, §12.5.3). Text is sent as br or gzip
// to a client that accepts it, with Vary, an ETag of its own, and chunked framing when its length
// is not known in advance (RFC 9112 §7.1). Every body is decoded here and compared byte for byte.

import { utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest'
import { RawClient, createSite, explain, hint, repoRoot, startServer, type FixtureSite, type RunningServer } from '../../../scripts/kit/index.ts'

const USERS = path.join(repoRoot, 'chapters', '10-chunked-and-compression', 'users.json')
const README = 'chapters/10-chunked-and-compression/README.md'
const OLD_TIME = new Date('2024-01-01T12:00:00Z')

/** Text that compresses well: about `bytes` of numbered lines. */
function text(bytes: number, seed: string): Buffer {
  const lines: string[] = []
  for (let i = 0, length = 0; length < bytes; i++) {
    const line = `${seed} line ${i}: the quick brown fox jumps over the lazy dog, ${i * 7919 % 1000}\n`
    lines.push(line)
    length += line.length
  }
  return Buffer.from(lines.join(''))
}

const PAGE = text(5000, 'page') // a page of 5 KB: compressed
const BIG = text(2 * 1024 * 1024, 'big') // 2 MiB: too large to keep in memory, streamed
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), text(4000, 'png')]) // compressible bytes, but image/png
const PRE = text(3000, 'pre') // has precompressed siblings with other content
const PRE_GZ = text(3000, 'from the .gz sibling')
const PRE_BR = text(3000, 'from the .br sibling')
const STALE = text(3000, 'stale') // its .gz sibling is older than it

let site: FixtureSite
let server: RunningServer
beforeAll(async () => {
  site = createSite()
  const put = (name: string, data: Buffer, time?: Date) => {
    writeFileSync(path.join(site.root, name), data)
    if (time) utimesSync(path.join(site.root, name), time, time)
  }
  put('page.html', PAGE)
  put('big.txt', BIG)
  put('picture.png', PNG)
  put('pre.css', PRE, OLD_TIME)
  put('pre.css.gz', gzipSync(PRE_GZ))
  put('pre.css.br', brotliCompressSync(PRE_BR))
  put('stale.js', STALE)
  put('stale.js.gz', gzipSync(text(3000, 'an older version')), OLD_TIME)
  server = await startServer({ reference: 'chapters/10-chunked-and-compression', root: site.root, users: USERS })
})
afterAll(async () => {
  await server?.stop()
  site?.cleanup()
})
afterEach(() => RawClient.destroyAll())

interface Framed {
  status: number
  headers: Map<string, string>
  /** The body as it came, framing removed. */
  body: Buffer
  /** How it was framed: the sizes of its chunks, when chunked. */
  chunks?: number[]
}

/**
 * Read one response the way a client must: the head line by line, then the body by
 * Content-Length, by chunks (RFC 9112 §7.1, decoded here, strictly), or up to the close.
 */
async function readFramed(client: RawClient, head = false): Promise<Framed> {
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec((await client.readLine()).toString('latin1'))?.[1])
  const headers = new Map<string, string>()
  for (;;) {
    const line = (await client.readLine()).toString('latin1')
    if (line === '\r\n') break
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value)
  }
  if (head || status === 304) return { status, headers, body: Buffer.alloc(0) }
  if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) {
    const parts: Buffer[] = []
    const chunks: number[] = []
    for (;;) {
      const sizeLine = (await client.readLine()).toString('latin1')
      const match = /^([0-9a-fA-F]+)(;[^\r\n]*)?\r\n$/.exec(sizeLine)
      if (!match) throw new Error(explain(client, 'RFC 9112 §7.1: each chunk starts with its size in hex and CRLF.', ['a chunk-size line'], [`the line was ${JSON.stringify(sizeLine)}`]))
      const size = Number.parseInt(match[1]!, 16)
      if (size === 0) break
      chunks.push(size)
      const data = await client.readBytes(size + 2)
      if (!data.subarray(size).equals(Buffer.from('\r\n'))) throw new Error(explain(client, 'RFC 9112 §7.1: chunk-data is followed by CRLF.', [`CRLF after ${size} bytes`], [`${JSON.stringify(data.subarray(size).toString('latin1'))} came instead`]))
      parts.push(data.subarray(0, size))
    }
    while ((await client.readLine()).toString('latin1') !== '\r\n'); // trailer fields, if any, and the empty line
    return { status, headers, body: Buffer.concat(parts), chunks }
  }
  const length = headers.get('content-length')
  if (length !== undefined) return { status, headers, body: await client.readBytes(Number(length)) }
  return { status, headers, body: await client.readUntilClose() }
}

async function fetchFramed(target: string, extra = '', { method = 'GET', version = 'HTTP/1.1' } = {}): Promise<Framed & { client: RawClient }> {
  const client = await RawClient.connect(server.port)
  await client.send(`${method} ${target} ${version}\r\nHost: localhost\r\n${extra}\r\n`)
  return { client, ...(await readFramed(client, method === 'HEAD')) }
}

/** The body decoded as its Content-Encoding says. */
function decoded(response: Framed): Buffer {
  const coding = response.headers.get('content-encoding')
  if (coding === 'gzip') return gunzipSync(response.body)
  if (coding === 'br') return brotliDecompressSync(response.body)
  return response.body
}

interface Expected {
  status?: number
  coding: 'br' | 'gzip' | undefined
  vary?: boolean
  body?: Buffer
  why: string
}

function expectFramed(response: Framed & { client: RawClient }, expected: Expected): void {
  const wanted: string[] = []
  const problems: string[] = []
  const status = expected.status ?? 200
  wanted.push(`status ${status}`)
  if (response.status !== status) problems.push(`the status was ${response.status}`)
  const coding = response.headers.get('content-encoding')
  wanted.push(expected.coding ? `Content-Encoding: ${expected.coding}` : 'no Content-Encoding')
  if (coding !== expected.coding) problems.push(coding === undefined ? 'there was no Content-Encoding' : `Content-Encoding was ${JSON.stringify(coding)}`)
  if (expected.vary) {
    wanted.push('Vary naming Accept-Encoding')
    if (!/(^|,)\s*accept-encoding\s*(,|$)/i.test(response.headers.get('vary') ?? '')) problems.push(`Vary was ${JSON.stringify(response.headers.get('vary'))}`)
  }
  if (expected.body && problems.length === 0) {
    wanted.push(`a body that decodes to exactly ${expected.body.length} bytes`)
    try {
      const body = decoded(response)
      if (!body.equals(expected.body)) problems.push(`it decoded to ${body.length} other bytes: ${JSON.stringify(body.subarray(0, 60).toString('latin1'))}...`)
    } catch (error) {
      problems.push(`it could not be decoded as ${coding}: ${(error as Error).message}`)
    }
  }
  if (problems.length > 0) throw new Error(explain(response.client, expected.why, wanted, problems))
}

const ae = (value: string) => `Accept-Encoding: ${value}\r\n`

describe('choosing a coding from Accept-Encoding', hint(`${README}#choosing-a-coding`), () => {
  it('gzip, when the client accepts only gzip', async () => {
    expectFramed(await fetchFramed('/page.html', ae('gzip')), { coding: 'gzip', vary: true, body: PAGE, why: 'RFC 9110 §8.4.1.3, §12.5.3: the client can decode gzip, and the page is text of 5 KB.' })
  })

  it('br, when the client accepts only br', async () => {
    expectFramed(await fetchFramed('/page.html', ae('br')), { coding: 'br', vary: true, body: PAGE, why: 'RFC 9110 §12.5.3; br is Brotli (RFC 7932).' })
  })

  it('br for "gzip, deflate, br" (a browser\'s list): ties go to the server\'s preference', async () => {
    expectFramed(await fetchFramed('/page.html', ae('gzip, deflate, br')), { coding: 'br', vary: true, body: PAGE, why: 'RFC 9110 §12.5.3: equal weights leave the choice to the server; this workbook prefers br, which is smaller.' })
  })

  it('"gzip;q=0, br" gets br: q=0 means "not acceptable"', async () => {
    expectFramed(await fetchFramed('/page.html', ae('gzip;q=0, br')), { coding: 'br', vary: true, body: PAGE, why: 'RFC 9110 §12.4.2: a weight of 0 means not acceptable.' })
  })

  it('"br;q=0.1, gzip;q=0.9" gets gzip: the higher weight wins', async () => {
    expectFramed(await fetchFramed('/page.html', ae('br;q=0.1, gzip;q=0.9')), { coding: 'gzip', vary: true, body: PAGE, why: 'RFC 9110 §12.4.2: the client prefers gzip (0.9) to br (0.1).' })
  })

  it('"*;q=0, identity" gets the file as it is', async () => {
    expectFramed(await fetchFramed('/page.html', ae('*;q=0, identity')), { coding: undefined, vary: true, body: PAGE, why: 'RFC 9110 §12.5.3: "*;q=0" refuses every coding not listed; identity is listed, so the file goes uncompressed.' })
  })

  it('"identity;q=0" and nothing else acceptable: the file as it is anyway (no 406)', async () => {
    expectFramed(await fetchFramed('/page.html', ae('identity;q=0')), { coding: undefined, vary: true, body: PAGE, why: 'RFC 9110 §12.5.3: when no available coding is acceptable, the server SHOULD respond without a content coding (RFC 7231 dropped the 406 for this on purpose).' })
  })

  it('no Accept-Encoding: the file as it is, and still Vary', async () => {
    expectFramed(await fetchFramed('/page.html'), { coding: undefined, vary: true, body: PAGE, why: 'RFC 9110 §12.5.5: the response depends on Accept-Encoding, so it says so even when uncompressed: a cache must not give this copy to a client that asked for gzip, nor a gzip copy to this client.' })
  })
})

describe('what is not compressed', hint(`${README}#what-not-to-compress`), () => {
  it('a small file (under 1 KiB) is sent as it is', async () => {
    expectFramed(await fetchFramed('/style.css', ae('gzip, br')), { coding: undefined, body: site.files.get('/style.css')!, why: 'Compressing 21 bytes saves nothing (gzip\'s header and trailer alone are 18 bytes) and costs CPU.' })
  })

  it('an image (image/png) is sent as it is', async () => {
    expectFramed(await fetchFramed('/picture.png', ae('gzip, br')), { coding: undefined, body: PNG, why: 'PNG, JPEG, WebP, woff2, zip and video are compressed already: a second pass costs CPU and saves nothing.' })
  })

  it('a Range request gets the identity bytes: 206 and the slice of the file', async () => {
    const response = await fetchFramed('/page.html', `${ae('gzip, br')}Range: bytes=100-199\r\n`)
    expectFramed(response, { status: 206, coding: undefined, body: PAGE.subarray(100, 200), why: 'RFC 9110 §14: a range counts bytes of one representation; this server serves ranges of the file itself, never of a compressed stream whose bytes depend on the compressor.' })
  })
})

describe('precompressed files', hint(`${README}#precompressed-files`), () => {
  it('pre.css.gz beside pre.css is sent as it is, for gzip', async () => {
    expectFramed(await fetchFramed('/pre.css', ae('gzip')), { coding: 'gzip', vary: true, body: PRE_GZ, why: 'A sibling file.gz, not older than the file, is the gzip form made ahead of time (nginx\'s gzip_static): sent as it is, with no compression per request.' })
  })

  it('pre.css.br is sent for br', async () => {
    expectFramed(await fetchFramed('/pre.css', ae('br')), { coding: 'br', vary: true, body: PRE_BR, why: 'A sibling file.br is the br form made ahead of time.' })
  })

  it('a sibling older than the file is not used: the file is compressed instead', async () => {
    expectFramed(await fetchFramed('/stale.js', ae('gzip')), { coding: 'gzip', vary: true, body: STALE, why: 'A .gz older than its file was made from an earlier version: sending it would send old content.' })
  })
})

describe('the ETag of a compressed response', hint(`${README}#vary-and-the-etag`), () => {
  it('differs from the file\'s, and If-None-Match with either gives 304 with Vary', async () => {
    const plain = await fetchFramed('/page.html')
    const gzip = await fetchFramed('/page.html', ae('gzip'))
    const plainTag = plain.headers.get('etag')
    const gzipTag = gzip.headers.get('etag')
    if (!plainTag || !gzipTag || plainTag.replace(/^W\//, '') === gzipTag.replace(/^W\//, '')) {
      throw new Error(explain(gzip.client, 'RFC 9110 §8.8.3: the gzip bytes are another representation; an ETag names one representation, so the two need different tags.', ['two different ETags'], [`identity ${JSON.stringify(plainTag)}, gzip ${JSON.stringify(gzipTag)}`]))
    }
    for (const tag of [gzipTag, plainTag]) {
      const again = await fetchFramed('/page.html', `${ae('gzip')}If-None-Match: ${tag}\r\n`)
      expectFramed(again, { status: 304, coding: undefined, vary: true, why: `RFC 9110 §13.1.2, §15.4.5: ${tag} names a current form of the page: 304, with the Vary a 200 would have had.` })
    }
  })
})

describe('a streamed compressed response: chunked framing', hint(`${README}#sending-a-chunked-response`), () => {
  it('a 2 MiB file compressed on the fly: chunked, decoded here chunk by chunk, then a second request on the same connection', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(`GET /big.txt HTTP/1.1\r\nHost: localhost\r\n${ae('gzip')}\r\n`)
    const first = { client, ...(await readFramed(client)) }
    const why = 'RFC 9112 §6.1, §7.1: the compressed length is not known until the end, so the body goes out in chunks, each with its size, and ends with a chunk of size 0; no Content-Length.'
    if (!first.chunks || first.headers.has('content-length')) throw new Error(explain(client, why, ['Transfer-Encoding: chunked and no Content-Length'], [`Transfer-Encoding was ${JSON.stringify(first.headers.get('transfer-encoding'))}, Content-Length ${JSON.stringify(first.headers.get('content-length'))}`]))
    expectFramed(first, { coding: 'gzip', vary: true, body: BIG, why })
    await client.send('GET /notes.txt HTTP/1.1\r\nHost: localhost\r\n\r\n')
    expectFramed({ client, ...(await readFramed(client)) }, { coding: undefined, body: site.files.get('/notes.txt')!, why: 'RFC 9112 §9.3: the last chunk ends the response, so the connection stays and the next response starts right after it.' })
  })

  it('HEAD gets the same headers as GET, and no body; the connection goes on', async () => {
    for (const target of ['/big.txt', '/page.html']) {
      const get = await fetchFramed(target, ae('br'))
      const client = await RawClient.connect(server.port)
      await client.send(`HEAD ${target} HTTP/1.1\r\nHost: localhost\r\n${ae('br')}\r\nGET /notes.txt HTTP/1.1\r\nHost: localhost\r\n\r\n`)
      const head = { client, ...(await readFramed(client, true)) }
      const why = 'RFC 9110 §9.3.2: HEAD is answered with the headers GET would get (for a streamed body, Transfer-Encoding and no Content-Length) and no body.'
      for (const name of ['content-encoding', 'vary', 'etag', 'transfer-encoding', 'content-length']) {
        if (head.headers.get(name) !== get.headers.get(name)) throw new Error(explain(client, why, [`${name} as GET had it: ${JSON.stringify(get.headers.get(name))}`], [`it was ${JSON.stringify(head.headers.get(name))}`]))
      }
      expectFramed({ client, ...(await readFramed(client)) }, { coding: undefined, body: site.files.get('/notes.txt')!, why: `${why} Not a byte of body after the HEAD's head, or this response would start in the wrong place.` })
    }
  })

  it('an HTTP/1.0 client gets no chunked framing, and bytes it can decode', async () => {
    const response = await fetchFramed('/big.txt', ae('gzip'), { version: 'HTTP/1.0' })
    if (response.headers.has('transfer-encoding')) throw new Error(explain(response.client, 'RFC 9112 §6.1: chunked is HTTP/1.1; an HTTP/1.0 client cannot read it.', ['no Transfer-Encoding'], [`Transfer-Encoding was ${JSON.stringify(response.headers.get('transfer-encoding'))}`]))
    expectFramed(response, { coding: response.headers.get('content-encoding') === 'gzip' ? 'gzip' : undefined, body: BIG, why: 'RFC 9112 §6.3: identity with a Content-Length, or the compressed bytes up to the close.' })
  })
})
