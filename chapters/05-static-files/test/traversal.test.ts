// Chapter 05, black-box: nothing outside the document root is ever served. The attacks go out as
// raw bytes: an HTTP client (curl, fetch, a browser) would clean "/../" away before sending it.

import { afterAll, afterEach, beforeAll, describe, it } from 'vitest'
import { RawClient, SECRET, createSite, exchange, expectResponse, explain, hint, startServer, type FixtureSite, type RunningServer } from '../../../scripts/kit/index.ts'

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

// [target, why]. Every one must get 400 or 404, and never a byte of a file outside the root.
const ATTACKS: [string, string][] = [
  ['/../outside.txt', 'the plain climb: the blog\'s own code serves this'],
  ['/../../../../../../../../etc/passwd', 'climbing to the filesystem root'],
  ['/sub/../../outside.txt', 'down one, up two'],
  ['/./../outside.txt', 'a "." segment before the climb'],
  ['/..', 'just ".."'],
  ['/%2e%2e/outside.txt', '".." percent-encoded'],
  ['/%2E%2E/outside.txt', '".." percent-encoded in upper case'],
  ['/.%2e/outside.txt', 'half of ".." encoded'],
  ['/..%2foutside.txt', 'an encoded slash after ".."'],
  ['/%2e%2e%2foutside.txt', 'the whole climb encoded'],
  ['/%2e%2e%5coutside.txt', 'an encoded backslash (a separator on Windows)'],
  ['/..\\outside.txt', 'a raw backslash'],
  ['/..\\..\\outside.txt', 'raw backslashes, twice'],
  ['/%252e%252e/outside.txt', 'double encoding: decoded once it is the name "%2e%2e", not ".."'],
  ['/%c0%ae%c0%ae/outside.txt', 'overlong UTF-8 for "." (invalid UTF-8)'],
  ['/%2fetc%2fpasswd', 'an encoded absolute path'],
  ['//etc/passwd', 'a doubled slash: still inside the root'],
  ['/notes.txt%00.html', 'a NUL byte, which ends a C string'],
  ['http://localhost/../outside.txt', 'absolute-form target (RFC 9112 §3.2.2) with a climb'],
  ['/../site-secret/secret.txt', 'a sibling whose name starts with the root\'s: the startsWith(root) trap'],
  ['/sub/../../site-secret/secret.txt', 'the startsWith trap, reached from below'],
  ['/link-out', 'a symbolic link inside the root that points outside'],
  ['/dir-out/secret.txt', 'a symbolic link to a directory outside the root'],
  ['/.env', 'a dot file inside the root'],
]

describe('nothing outside the root is ever served', hint('chapters/05-static-files/README.md#from-a-path-to-a-file'), () => {
  for (const [target, why] of ATTACKS) {
    it(`GET ${target} (${why})`, async () => {
      const ex = await exchange(server.port, `GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`)
      const body = ex.response.body.toString('latin1')
      if (body.includes(SECRET) || body.includes('root:x:0:0')) {
        throw new Error(explain(ex.client, `A file outside the document root was served: ${why}.`, ['400 or 404 and none of its content'], ['the response holds the file\'s content']))
      }
      if (ex.response.status !== 400 && ex.response.status !== 404) {
        throw new Error(explain(ex.client, why, ['status 400 or 404'], [`the status was ${ex.response.status}`]))
      }
    })
  }
})

describe('malformed percent escapes are 400', hint('chapters/05-static-files/README.md#from-a-path-to-a-file'), () => {
  for (const target of ['/%', '/%zz', '/notes%2.txt', '/%e4%bd']) {
    it(`GET ${target}`, async () => {
      expectResponse(await exchange(server.port, `GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`), {
        status: 400,
        why: 'RFC 3986 §2.1: "%" must be followed by two hex digits, and the bytes must be valid UTF-8; guessing is how filters are bypassed.',
      })
    })
  }
})

describe('after the attacks', hint('chapters/05-static-files/README.md#from-a-path-to-a-file'), () => {
  it('the server still serves files', async () => {
    expectResponse(await exchange(server.port, 'GET /notes.txt HTTP/1.1\r\nHost: localhost\r\n\r\n'), { status: 200, body: site.files.get('/notes.txt')! })
  })
})
