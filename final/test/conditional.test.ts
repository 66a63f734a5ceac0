// final/, black-box: validators (ETag, Last-Modified) and conditional GET (RFC 9110 §13.1):
// a client with a current copy gets 304 and no body; a changed file is never served stale.

import { mkdirSync, renameSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RawClient, createSite, exchange, expectResponse, header, hint, startServer, type FixtureSite, type RunningServer } from '../../scripts/kit/index.ts'

let site: FixtureSite
let server: RunningServer
beforeAll(async () => {
  site = createSite()
  server = await startServer({ reference: 'final', root: site.root, args: ['--quiet'] })
})
afterAll(async () => {
  await server?.stop()
  site?.cleanup()
})

const get = (target: string, extra = '') => exchange(server.port, `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`)

describe('validators', hint('final/README.md#conditional-get'), () => {
  it('a file has an ETag and a Last-Modified in IMF-fixdate', async () => {
    expectResponse(await get('/notes.txt'), {
      status: 200,
      headers: { etag: /^(W\/)?"[^"]+"$/, 'last-modified': /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/ },
      why: 'RFC 9110 §8.8: validators let a client ask "has it changed?" instead of downloading again.',
    })
  })
})

describe('conditional GET', hint('final/README.md#conditional-get'), () => {
  it('If-None-Match with the current ETag: 304, no body, the same ETag', async () => {
    const etag = header((await get('/style.css')).response, 'etag')!
    const ex = await get('/style.css', `If-None-Match: ${etag}\r\n`)
    expectResponse(ex, { status: 304, headers: { etag }, body: '', why: 'RFC 9110 §13.1.2: the copy is current.' })
  })

  it('If-None-Match with another ETag, or in a list, or *', async () => {
    const etag = header((await get('/style.css')).response, 'etag')!
    expectResponse(await get('/style.css', 'If-None-Match: "something-else"\r\n'), { status: 200, body: site.files.get('/style.css')! })
    expectResponse(await get('/style.css', `If-None-Match: "a", ${etag}, "b"\r\n`), { status: 304 })
    expectResponse(await get('/style.css', 'If-None-Match: *\r\n'), { status: 304 })
  })

  it('If-Modified-Since at or after Last-Modified: 304; before: 200', async () => {
    const lastModified = header((await get('/app.js')).response, 'last-modified')!
    expectResponse(await get('/app.js', `If-Modified-Since: ${lastModified}\r\n`), { status: 304, why: 'RFC 9110 §13.1.3: not modified since that date.' })
    expectResponse(await get('/app.js', 'If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n'), { status: 200, body: site.files.get('/app.js')! })
  })

  it('If-None-Match decides over If-Modified-Since', async () => {
    const lastModified = header((await get('/app.js')).response, 'last-modified')!
    expectResponse(await get('/app.js', `If-None-Match: "stale"\r\nIf-Modified-Since: ${lastModified}\r\n`), { status: 200, why: 'RFC 9110 §13.1.3: a recipient MUST ignore If-Modified-Since when If-None-Match is present.' })
  })

  it('an unparseable If-Modified-Since is ignored', async () => {
    expectResponse(await get('/app.js', 'If-Modified-Since: yesterday\r\n'), { status: 200 })
  })

  it('a 304 on a kept-alive connection does not confuse the next response', async () => {
    const etag = header((await get('/notes.txt')).response, 'etag')!
    const client = await RawClient.connect(server.port)
    await client.send(`GET /notes.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: ${etag}\r\n\r\nGET /data.json HTTP/1.1\r\nHost: x\r\n\r\n`)
    expectResponse({ client, response: await client.readResponse() }, { status: 304 })
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: site.files.get('/data.json')! })
    client.destroy()
  })
})

describe('never stale', hint('final/README.md#what-made-it-fast'), () => {
  it('a changed file is served with its new bytes and a new ETag, and the old ETag no longer matches', hint('final/README.md#conditional-get'), async () => {
    const file = path.join(site.root, 'changing.txt')
    writeFileSync(file, 'version one\n')
    utimesSync(file, new Date('2024-01-01T00:00:00Z'), new Date('2024-01-01T00:00:00Z'))
    const first = await get('/changing.txt')
    expectResponse(first, { status: 200, body: 'version one\n' })
    writeFileSync(file, 'version two, longer\n')
    const second = await get('/changing.txt')
    expectResponse(second, { status: 200, body: 'version two, longer\n', why: 'The file changed on disk: a cache must never serve the old bytes.' })
    expect(header(second.response, 'etag')).not.toBe(header(first.response, 'etag'))
    expectResponse(await get('/changing.txt', `If-None-Match: ${header(first.response, 'etag')}\r\n`), { status: 200, body: 'version two, longer\n' })
  })

  it('a symbolic link switched to another release serves the new target, even once cached', async () => {
    for (const release of ['release-1', 'release-2']) {
      mkdirSync(path.join(site.root, release))
      writeFileSync(path.join(site.root, release, 'page.txt'), `${release}\n`)
    }
    symlinkSync('release-1', path.join(site.root, 'current'))
    // A file changed in the last second is not cached (its time stamp cannot be trusted yet):
    // wait it out, so that the first answer below really comes from the cache.
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    expectResponse(await get('/current/page.txt'), { status: 200, body: 'release-1\n' })
    expectResponse(await get('/current/page.txt'), { status: 200, body: 'release-1\n' })
    unlinkSync(path.join(site.root, 'current'))
    symlinkSync('release-2', path.join(site.root, 'current'))
    expectResponse(await get('/current/page.txt'), { status: 200, body: 'release-2\n', why: 'The same URL now names another file: the cache must not keep serving the old one.' })
  })

  it('a file served from the cache, then replaced by a rename (as a deploy does), is served new at once', async () => {
    const file = path.join(site.root, 'deployed.txt')
    writeFileSync(file, 'build 1\n')
    await new Promise((resolve) => setTimeout(resolve, 1_100)) // out of the racy window: now it is cached
    expectResponse(await get('/deployed.txt'), { status: 200, body: 'build 1\n' })
    expectResponse(await get('/deployed.txt'), { status: 200, body: 'build 1\n' })
    writeFileSync(path.join(site.root, 'deployed.txt.tmp'), 'build 2\n')
    renameSync(path.join(site.root, 'deployed.txt.tmp'), file)
    expectResponse(await get('/deployed.txt'), { status: 200, body: 'build 2\n', why: 'A new file under the same name: the cached bytes are stale.' })
  })

  it("a cached file's response carries the Date of the moment it is sent, not of when it was cached", async () => {
    const file = path.join(site.root, 'dated.txt')
    writeFileSync(file, 'dated\n')
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    await get('/dated.txt') // read from disk, and cached
    const first = await get('/dated.txt') // from the cache
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    const second = await get('/dated.txt')
    expect(header(second.response, 'date'), 'RFC 9110 §6.6.1: Date is when the response was generated').not.toBe(header(first.response, 'date'))
    expectResponse(second, { status: 200, body: 'dated\n' })
  })

  it('a same-size rewrite with a new time is seen too', async () => {
    const file = path.join(site.root, 'same-size.txt')
    writeFileSync(file, 'AAAA\n')
    utimesSync(file, new Date('2024-01-01T00:00:00Z'), new Date('2024-01-01T00:00:00Z'))
    expectResponse(await get('/same-size.txt'), { body: 'AAAA\n' })
    writeFileSync(file, 'BBBB\n')
    expectResponse(await get('/same-size.txt'), { body: 'BBBB\n' })
  })
})
