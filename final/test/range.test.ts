// final/, black-box: Range from the file cache. A small file is served from memory once it is
// cached; a range of it must be a slice of those bytes, and the whole prepared response must never
// answer a Range request. (chapters/09-caching's suite checks the rules themselves, against final/ too.)

import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { RawClient, createSite, exchange, expectResponse, header, hint, startServer, type FixtureSite, type RunningServer } from '../../scripts/kit/index.ts'

const BODY = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz\n') // 37 bytes

let site: FixtureSite
let server: RunningServer
beforeAll(async () => {
  site = createSite()
  writeFileSync(path.join(site.root, 'cached.txt'), BODY)
  // A file changed in the last second is not cached (its time stamp cannot be trusted yet): wait
  // it out, so that the requests below are answered from the cache.
  await new Promise((resolve) => setTimeout(resolve, 1_100))
  server = await startServer({ reference: 'final', root: site.root, args: ['--quiet', '--cache-control', 'max-age=60'] })
})
afterAll(async () => {
  await server?.stop()
  site?.cleanup()
})

const request = (extra = '', method = 'GET') => `${method} /cached.txt HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`

describe('ranges of cached files', hint('final/README.md#range-and-if-range'), () => {
  it('whole, ranged, whole again, 304, ranged with If-Range, on one connection: each answer its own', async () => {
    const first = await exchange(server.port, request('Connection: close\r\n'))
    expectResponse(first, { status: 200, body: BODY, headers: { 'accept-ranges': 'bytes', 'cache-control': 'max-age=60' } })
    const etag = header(first.response, 'etag')!
    const client = await RawClient.connect(server.port)
    await client.send(
      request() + request('Range: bytes=10-19\r\n') + request() + request(`If-None-Match: ${etag}\r\nRange: bytes=0-1\r\n`) + request(`Range: bytes=-3\r\nIf-Range: ${etag}\r\n`) + request('Range: bytes=99-\r\n'),
    )
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: BODY })
    expectResponse({ client, response: await client.readResponse() }, {
      status: 206,
      headers: { 'content-range': 'bytes 10-19/37', 'content-length': '10', 'cache-control': 'max-age=60', etag },
      body: 'abcdefghij',
      why: 'A range of a cached file is a slice of its bytes, never the prepared whole response.',
    })
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: BODY, headers: { 'content-range': null }, why: 'A range before it leaves the cached response whole.' })
    expectResponse({ client, response: await client.readResponse() }, { status: 304, headers: { 'cache-control': 'max-age=60' }, why: 'RFC 9110 §13.2.2: 304 goes before Range.' })
    expectResponse({ client, response: await client.readResponse() }, { status: 206, headers: { 'content-range': 'bytes 34-36/37' }, body: 'yz\n' })
    expectResponse({ client, response: await client.readResponse() }, { status: 416, headers: { 'content-range': 'bytes */37' } })
  })

  it('HEAD with Range from the cache: the 206 head, no body', async () => {
    const client = await RawClient.connect(server.port)
    await client.send(request('Range: bytes=0-4\r\n', 'HEAD') + request('Range: bytes=5-9\r\n'))
    expectResponse({ client, response: await client.readResponse({ head: true }) }, { status: 206, headers: { 'content-range': 'bytes 0-4/37', 'content-length': '5' } })
    expectResponse({ client, response: await client.readResponse() }, { status: 206, body: '56789', why: 'The HEAD sent no body: the next response starts right after its head.' })
  })
})
