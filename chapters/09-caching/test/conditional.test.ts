// Chapter 09, black-box: a client that already has a file asks whether it changed (RFC 9110 §13).
// Validators (ETag, Last-Modified) on every file; If-None-Match and If-Modified-Since answered
// with 304 and no body; Cache-Control only when the server is given one (--cache-control VALUE,
// or CACHE_CONTROL: your server should read it too).

import { statSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RawClient, createSite, exchange, explain, expectResponse, header, hint, repoRoot, startServer, type FixtureSite, type RunningServer } from '../../../scripts/kit/index.ts'

const USERS = path.join(repoRoot, 'chapters', '09-caching', 'users.json')
const CACHE_CONTROL = 'public, max-age=3600'
const OLD_TIME = new Date('2024-01-01T12:00:00Z') // the time old.txt was "last modified"

let site: FixtureSite
let server: RunningServer
beforeAll(async () => {
  site = createSite()
  writeFileSync(path.join(site.root, 'old.txt'), 'written long ago\n')
  utimesSync(path.join(site.root, 'old.txt'), OLD_TIME, OLD_TIME)
  server = await startServer({ reference: 'chapters/09-caching', root: site.root, users: USERS })
})
afterAll(async () => {
  await server?.stop()
  site?.cleanup()
})
afterEach(() => RawClient.destroyAll())

const request = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`
const get = (target: string, extra = '') => exchange(server.port, request(target, `Connection: close\r\n${extra}`))
const file = (target: string) => site.files.get(target)!
/** The ETag the server sends for a file now. */
const etagOf = async (target: string) => header((await get(target)).response, 'etag')!

describe('validators', hint('chapters/09-caching/README.md#validators-and-304'), () => {
  it('a file response has an ETag and a Last-Modified, the file\'s modification time in IMF-fixdate', async () => {
    const ex = await get('/old.txt')
    expectResponse(ex, {
      status: 200,
      headers: { etag: /^(W\/)?"[^"]*"$/, 'last-modified': 'Mon, 01 Jan 2024 12:00:00 GMT' },
      body: 'written long ago\n',
      why: 'RFC 9110 §8.8: validators let a client ask "has it changed?" instead of downloading again; Last-Modified is the file\'s time, in GMT (§8.8.2, §5.6.7).',
    })
    expectResponse(await get('/style.css'), { status: 200, headers: { etag: /^(W\/)?"[^"]*"$/, 'last-modified': new Date(Math.floor(statSync(path.join(site.root, 'style.css')).mtime.getTime() / 1000) * 1000).toUTCString() /* mtime, as the server sees it: Node rounds mtimeMs to the millisecond */ } })
  })

  it('the same file gets the same ETag each time', async () => {
    const first = await etagOf('/notes.txt')
    expect(first, 'RFC 9110 §8.8.3: a file response has an ETag').toMatch(/"/)
    expect(await etagOf('/notes.txt'), 'RFC 9110 §8.8.3: an unchanged file keeps its entity tag').toBe(first)
  })
})

describe('If-None-Match and If-Modified-Since', hint('chapters/09-caching/README.md#if-none-match-and-if-modified-since'), () => {
  it('If-None-Match with the current ETag: 304, no body, the same validators, and the connection stays', async () => {
    const first = await get('/style.css')
    const etag = header(first.response, 'etag')!
    const client = await RawClient.connect(server.port)
    await client.send(request('/style.css', `If-None-Match: ${etag}\r\n`))
    const response = await client.readResponse()
    expectResponse({ client, response }, {
      status: 304,
      headers: { etag, 'last-modified': header(first.response, 'last-modified')!, 'content-type': null },
      why: 'RFC 9110 §13.1.2, §15.4.5: the client\'s copy is current: 304 with the validators a 200 would carry, and no content.',
    })
    await client.send(request('/notes.txt'))
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: file('/notes.txt'), why: 'RFC 9110 §15.4.5: a 304 ends at its empty line (no body), so the next response on the connection starts right after it.' })
  })

  it('the weak form of the current ETag matches too (If-None-Match compares weakly)', async () => {
    const etag = await etagOf('/style.css')
    const weak = etag.startsWith('W/') ? etag : `W/${etag}`
    expectResponse(await get('/style.css', `If-None-Match: ${weak}\r\n`), { status: 304, body: '', why: 'RFC 9110 §13.1.2, §8.8.3.2: If-None-Match uses the weak comparison: W/"x" matches "x".' })
  })

  it('* matches any current file', async () => {
    expectResponse(await get('/app.js', 'If-None-Match: *\r\n'), { status: 304, body: '', why: 'RFC 9110 §13.1.2: "*" matches if the file exists at all.' })
  })

  it('the current ETag inside a list, or in a second If-None-Match line, matches', async () => {
    const etag = await etagOf('/app.js')
    expectResponse(await get('/app.js', `If-None-Match: "not-it", ${etag}, W/"nor-this"\r\n`), { status: 304, why: 'RFC 9110 §13.1.2: If-None-Match is a list; any member that matches is enough.' })
    expectResponse(await get('/app.js', `If-None-Match: "not-it"\r\nIf-None-Match: ${etag}\r\n`), { status: 304, why: 'RFC 9110 §5.3: a list field sent on two lines is the same list.' })
  })

  it('another ETag: 200 with the whole file', async () => {
    expectResponse(await get('/app.js', 'If-None-Match: "something-else", W/"and-this"\r\n'), { status: 200, body: file('/app.js'), why: 'RFC 9110 §13.1.2: no tag matches, so the client\'s copy is not this one.' })
  })

  it('If-Modified-Since equal to Last-Modified, or later: 304; earlier: 200', async () => {
    expectResponse(await get('/old.txt', 'If-Modified-Since: Mon, 01 Jan 2024 12:00:00 GMT\r\n'), { status: 304, body: '', why: 'RFC 9110 §13.1.3: not modified since that date.' })
    expectResponse(await get('/old.txt', 'If-Modified-Since: Sat, 01 Jun 2024 00:00:00 GMT\r\n'), { status: 304, body: '', why: 'RFC 9110 §13.1.3: not modified since that (later) date.' })
    expectResponse(await get('/old.txt', 'If-Modified-Since: Sun, 31 Dec 2023 23:59:59 GMT\r\n'), { status: 200, body: 'written long ago\n', why: 'RFC 9110 §13.1.3: modified after that date: the whole file.' })
  })

  it('If-Modified-Since is compared to the second: a file changed within that second is not modified', async () => {
    const target = path.join(site.root, 'half-second.txt')
    writeFileSync(target, 'half\n')
    utimesSync(target, OLD_TIME, new Date(OLD_TIME.getTime() + 500))
    expectResponse(await get('/half-second.txt', 'If-Modified-Since: Mon, 01 Jan 2024 12:00:00 GMT\r\n'), { status: 304, why: 'RFC 9110 §5.6.7: an HTTP date has whole seconds; Last-Modified said 12:00:00, and the client sent it back.' })
  })

  it('an If-Modified-Since that is not a date is ignored', async () => {
    expectResponse(await get('/old.txt', 'If-Modified-Since: yesterday\r\n'), { status: 200, body: 'written long ago\n', why: 'RFC 9110 §13.1.3: a recipient MUST ignore an If-Modified-Since that is not a valid HTTP-date.' })
  })

  it('If-None-Match decides over If-Modified-Since', async () => {
    const etag = await etagOf('/old.txt')
    expectResponse(await get('/old.txt', 'If-None-Match: "stale"\r\nIf-Modified-Since: Mon, 01 Jan 2024 12:00:00 GMT\r\n'), { status: 200, body: 'written long ago\n', why: 'RFC 9110 §13.1.3: a recipient MUST ignore If-Modified-Since when the request has If-None-Match.' })
    expectResponse(await get('/old.txt', `If-None-Match: ${etag}\r\nIf-Modified-Since: Sun, 31 Dec 2023 00:00:00 GMT\r\n`), { status: 304, why: 'RFC 9110 §13.2.2: If-None-Match is evaluated, and If-Modified-Since is not.' })
  })

  it('a changed file (a new size) gets 200 again, with its new bytes and a new ETag', async () => {
    const target = path.join(site.root, 'changing.txt')
    writeFileSync(target, 'version one\n')
    const first = await get('/changing.txt')
    expectResponse(first, { status: 200, body: 'version one\n' })
    writeFileSync(target, 'version two, a little longer\n')
    const second = await get('/changing.txt', `If-None-Match: ${header(first.response, 'etag')}\r\n`)
    expectResponse(second, { status: 200, body: 'version two, a little longer\n', why: 'RFC 9110 §8.8.3: the file changed, so its old ETag no longer matches: the client gets the new bytes.' })
    if (header(second.response, 'etag') === header(first.response, 'etag')) {
      throw new Error(explain(second.client, 'RFC 9110 §8.8.3: a changed file must get a new entity tag.', ['a new ETag'], [`the same ETag ${header(first.response, 'etag')}`]))
    }
  })

  it('a 404 stays a 404, whatever the client has', async () => {
    expectResponse(await get('/missing.txt', 'If-None-Match: *\r\n'), { status: 404, why: 'RFC 9110 §13.1.2: "*" matches only a file that exists.' })
  })
})

describe('Cache-Control', hint('chapters/09-caching/README.md#cache-control'), () => {
  it('no Cache-Control on a file by default', async () => {
    expectResponse(await get('/notes.txt'), { status: 200, headers: { 'cache-control': null }, why: 'Without --cache-control the server has no idea how long its files stay current, and says nothing (RFC 9111 §4.2.2 lets a cache guess).' })
  })

  describe('with --cache-control (CACHE_CONTROL)', () => {
    let configured: RunningServer
    beforeAll(async () => {
      configured = await startServer({ reference: 'chapters/09-caching', root: site.root, users: USERS, args: ['--cache-control', CACHE_CONTROL], env: { CACHE_CONTROL } })
    })
    afterAll(async () => {
      await configured?.stop()
    })

    it('every file response carries it, the 200, the 206 and the 304', async () => {
      const send = (extra: string) => exchange(configured.port, request('/notes.txt', `Connection: close\r\n${extra}`))
      const whole = await send('')
      expectResponse(whole, { status: 200, headers: { 'cache-control': CACHE_CONTROL }, why: 'RFC 9111 §5.2: the server was told what to say of its files: every file response says it.' })
      expectResponse(await send('Range: bytes=0-4\r\n'), { status: 206, headers: { 'cache-control': CACHE_CONTROL } })
      expectResponse(await send(`If-None-Match: ${header(whole.response, 'etag')}\r\n`), { status: 304, headers: { 'cache-control': CACHE_CONTROL }, why: 'RFC 9110 §15.4.5: a 304 carries the Cache-Control a 200 would have.' })
    })
  })
})
