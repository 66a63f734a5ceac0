// Chapter 05, black-box: files from the document root, byte for byte, with the right type.

import { afterAll, afterEach, beforeAll, describe, it } from 'vitest'
import { RawClient, createSite, exchange, expectResponse, header, explain, hint, startServer, type Exchange, type FixtureSite, type RunningServer } from '../../../scripts/kit/index.ts'

let site: FixtureSite
let server: RunningServer
beforeAll(async () => {
  site = createSite()
  server = await startServer({ reference: 'chapters/05-static-files', root: site.root })
})
afterAll(async () => {
  await server?.stop()
  site?.cleanup()
})
afterEach(() => RawClient.destroyAll()) // a failed test must not leave its connection holding the server

function request(target: string, method = 'GET'): Promise<Exchange> {
  return exchange(server.port, `${method} ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`)
}

function file(urlPath: string): Buffer {
  return site.files.get(urlPath)!
}

const TYPES: [path: string, type: RegExp][] = [
  ['/index.html', /^text\/html; ?charset=utf-8$/i],
  ['/style.css', /^text\/css; ?charset=utf-8$/i],
  ['/app.js', /^(text|application)\/javascript; ?charset=utf-8$/i],
  ['/data.json', /^application\/json(; ?charset=utf-8)?$/i],
  ['/notes.txt', /^text\/plain; ?charset=utf-8$/i],
  ['/logo.svg', /^image\/svg\+xml(; ?charset=utf-8)?$/i],
  ['/image.png', /^image\/png$/i],
  ['/photo.jpg', /^image\/jpeg$/i],
  ['/anim.gif', /^image\/gif$/i],
  ['/favicon.ico', /^image\/(x-icon|vnd\.microsoft\.icon)$/i],
  ['/module.wasm', /^application\/wasm$/i],
  ['/paper.pdf', /^application\/pdf$/i],
  ['/blob.unknownext', /^application\/octet-stream$/i],
]

describe('files, byte for byte, with their type', hint('chapters/05-static-files/README.md#content-type'), () => {
  for (const [path, type] of TYPES) {
    it(`${path} is sent whole, as ${type.source.replaceAll('\\', '')}`, async () => {
      const body = file(path)
      expectResponse(await request(path), {
        status: 200,
        headers: { 'content-type': type, 'content-length': String(body.length) },
        body,
        why: 'The file comes back exactly as it is on disk, its type from its extension, its length from its size.',
      })
    })
  }
})

describe('paths', hint('chapters/05-static-files/README.md#from-a-path-to-a-file'), () => {
  it('/ serves the root index.html', hint('chapters/05-static-files/README.md#directories'), async () => {
    expectResponse(await request('/'), { status: 200, headers: { 'content-type': /^text\/html/ }, body: file('/index.html'), why: '"/" names the root directory; its page is index.html.' })
  })

  it('a directory path with a trailing slash serves its index.html', hint('chapters/05-static-files/README.md#directories'), async () => {
    expectResponse(await request('/sub/'), { status: 200, body: file('/sub/index.html') })
  })

  it('a directory path without the slash serves its index or redirects to the slash', hint('chapters/05-static-files/README.md#directories'), async () => {
    const ex = await request('/sub')
    if (ex.response.status === 200) return expectResponse(ex, { body: file('/sub/index.html') })
    expectResponse(ex, { headers: { location: /^(http:\/\/[^/]+)?\/sub\/$/ }, why: 'Either serve sub/index.html, or redirect (301/308) to /sub/ so its relative links work.' })
    if (ex.response.status !== 301 && ex.response.status !== 308) throw new Error(explain(ex.client, undefined, ['200, 301 or 308'], [`the status was ${ex.response.status}`]))
  })

  it('the query string is ignored', async () => {
    expectResponse(await request('/notes.txt?download=1&x=%2e%2e'), { status: 200, body: file('/notes.txt'), why: 'The query does not name a file (RFC 3986 §3.4).' })
  })

  it('percent-encoded spaces are decoded', async () => {
    expectResponse(await request('/dir%20with%20space/file%20name.txt'), { status: 200, body: file('/dir with space/file name.txt') })
  })

  it('percent-encoded UTF-8 names are decoded', async () => {
    expectResponse(await request('/%E4%BD%A0%E5%A5%BD.txt'), { status: 200, body: file('/你好.txt'), why: '"%E4%BD%A0%E5%A5%BD" is the UTF-8 bytes of 你好.' })
  })

  it('a name with two dots in the middle is an ordinary file', async () => {
    expectResponse(await request('/a..b.txt'), { status: 200, body: file('/a..b.txt'), why: 'Only a whole segment ".." climbs; "a..b.txt" is just a name.' })
  })

  it('"." and ".." segments that stay inside the root resolve', async () => {
    expectResponse(await request('/sub/../sub/./page.html'), { status: 200, body: file('/sub/page.html'), why: 'RFC 3986 §5.2.4: dot segments are resolved; this path never leaves the root.' })
  })

  it('a symbolic link that stays inside the root is served', async () => {
    expectResponse(await request('/link-in'), { status: 200, body: file('/notes.txt') })
  })
})

describe('what is not there', hint('chapters/05-static-files/README.md#from-a-path-to-a-file'), () => {
  it('404 for a file that does not exist', async () => {
    expectResponse(await request('/missing.txt'), { status: 404, headers: { 'content-length': /^\d+$/ } })
  })

  it('404 for a directory without an index.html', hint('chapters/05-static-files/README.md#directories'), async () => {
    expectResponse(await request('/empty-dir/'), { status: 404, why: 'This server lists no directories; without an index.html there is nothing to serve.' })
  })

  it('405 with "Allow: GET, HEAD" for POST on a file', hint('chapters/04-responses/README.md#which-status-code'), async () => {
    const ex = await request('/notes.txt', 'POST')
    expectResponse(ex, { status: 405, headers: { allow: /GET/ }, why: 'RFC 9110 §15.5.6: a 405 lists the allowed methods in Allow.' })
    const allowed = header(ex.response, 'allow')!.split(',').map((m) => m.trim())
    if (!allowed.includes('HEAD') || allowed.includes('POST')) throw new Error(explain(ex.client, 'A file answers GET and HEAD, and not POST.', ['Allow: GET, HEAD'], [`Allow: ${allowed.join(', ')}`]))
  })

  it('HEAD has the headers of GET and no body', hint('chapters/04-responses/README.md#head'), async () => {
    const ex = await exchange(server.port, 'HEAD /notes.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
    expectResponse(ex, { status: 200, headers: { 'content-length': String(file('/notes.txt').length), 'content-type': /^text\/plain/ } })
    const rest = await ex.client.readUntilClose()
    if (rest.length > 0) throw new Error(explain(ex.client, 'RFC 9110 §9.3.2: no body in a HEAD response.', ['nothing after the headers'], [`${rest.length} more bytes`]))
  })
})
