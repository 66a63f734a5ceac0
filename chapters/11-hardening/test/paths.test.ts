// Chapter 11, black-box: nothing outside the document root is ever served, however the path is
// spelled, on a fresh connection, on a kept-alive one, or in a pipeline. The attacks go out as raw
// bytes: an HTTP client would clean "/../" away before sending it.

import { describe, expect, it } from 'vitest'
import { RawClient, SECRET, explain, expectResponse, header, hint, type HttpResponse } from '../../../scripts/kit/index.ts'
import { allAnswers, expectAnswerKeptOpen, get, serveChapter } from './wire.ts'

const served = serveChapter()

// [target, why]: chapter 05's traversal list (chapters/05-static-files/test/traversal.test.ts),
// then the spellings that other servers were caught by.
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
  // Beyond chapter 05's list.
  ['/sub/%2e%2e/%2e%2e/outside.txt', 'encoded ".." segments that climb from below (RFC 3986 §5.2.4 after decoding)'],
  ['/sub/..%5c..%5coutside.txt', 'encoded backslashes after a real segment'],
  ['/%5c..%5coutside.txt', 'a path that starts with an encoded backslash'],
  ['/..%00/outside.txt', 'a NUL inside the ".." segment'],
  ['/..;/outside.txt', 'a path parameter glued to ".." (Tomcat-style "..;" bypass)'],
  ['/%u002e%u002e/outside.txt', 'IIS %u escapes, which RFC 3986 does not have'],
  ['/%ef%bc%8e%ef%bc%8e/outside.txt', 'fullwidth dots (U+FF0E): a name, not ".." (no Unicode folding)'],
  ['/.%00./outside.txt', 'a NUL between the dots'],
  ['/sub/....//....//outside.txt', '"...." is a name; removing ".." from it once would leave ".."'],
  ['/%2e%2e%2f%2e%2e%2f%2e%2e%2foutside.txt', 'an encoded climb, three levels'],
  ['http://localhost/%2e%2e/outside.txt', 'absolute-form with an encoded climb'],
  ['/sub/../../../../outside.txt?x=/notes.txt', 'a climb with an innocent-looking query'],
  ['/dir-out/../dir-out/secret.txt', 'through the outward link twice'],
  ['/link-out/', 'the outward link, as a directory'],
  ['/.env/', 'a dot file, as a directory'],
  ['/sub/.env', 'a dot file one level down (it does not exist, but the rule is the name)'],
]

function expectNoSecret(client: RawClient, response: HttpResponse, target: string, why: string): void {
  const body = response.body.toString('latin1')
  if (body.includes(SECRET) || body.includes('root:x:0:0')) {
    throw new Error(explain(client, `A file outside the document root was served for ${target}: ${why}.`, ['400 or 404 and none of its content'], ['the response holds the file\'s content']))
  }
  if (response.status !== 400 && response.status !== 404) {
    throw new Error(explain(client, `${target}: ${why}.`, ['status 400 or 404'], [`the status was ${response.status}`]))
  }
}

describe('paths', hint('chapters/05-static-files/README.md#from-a-path-to-a-file'), () => {
  for (const [target, why] of ATTACKS) {
    it(`GET ${target} (${why}) → 400 or 404, never the file`, async () => {
      const { client, responses } = await allAnswers(served.port, `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`)
      expect(responses, 'one response').toHaveLength(1)
      expectNoSecret(client, responses[0]!, target, why)
    })
  }

  it('every attack, one after another on one kept-alive connection', async () => {
    let client = await RawClient.connect(served.port)
    for (const [target, why] of ATTACKS) {
      await client.send(get(target))
      const response = await client.readResponse()
      expectNoSecret(client, response, target, why)
      if (header(response, 'connection') === 'close') {
        client.destroy()
        client = await RawClient.connect(served.port)
      }
    }
    await client.send(get('/notes.txt'))
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: served.site.files.get('/notes.txt')!, why: 'After the attacks the same connection serves a real file.' })
    client.destroy()
  })

  it('every attack in one pipeline, with a real file between each two: answered in order, nothing leaks', async () => {
    const requests = ATTACKS.flatMap(([target]) => [get(target), get('/notes.txt')]).join('')
    const { client, responses } = await allAnswers(served.port, `${requests}${get('/style.css', 'Connection: close\r\n')}`)
    const why = 'RFC 9112 §9.3.2: pipelined requests are answered in order; the attacks must not change that.'
    expect(client.received.toString('latin1')).not.toContain(SECRET)
    expect(responses.length, why).toBe(ATTACKS.length * 2 + 1)
    ATTACKS.forEach(([target, attackWhy], i) => {
      expectNoSecret(client, responses[2 * i]!, target, attackWhy)
      expectResponse({ client, response: responses[2 * i + 1]! }, { status: 200, body: served.site.files.get('/notes.txt')!, why })
    })
    expectResponse({ client, response: responses.at(-1)! }, { status: 200, body: served.site.files.get('/style.css')!, why })
  })

  // [target, file, why]: dots and escapes that stay inside the root still name their file.
  const INSIDE: [string, string, string][] = [
    ['/a..b.txt', '/a..b.txt', 'two dots in the middle of a name are part of the name'],
    ['/sub/../a..b.txt', '/a..b.txt', 'a ".." that stays inside the root, then a dotted name'],
    ['/notes%2etxt', '/notes.txt', 'an encoded "." inside a name is a "."'],
    ['/sub/./page.html', '/sub/page.html', 'a "." segment is the same directory (RFC 3986 §5.2.4)'],
    ['/sub//page.html', '/sub/page.html', 'an empty segment is skipped'],
    ['/%e4%bd%a0%e5%a5%bd.txt', '/你好.txt', 'a UTF-8 name, percent-encoded'],
    ['/dir%20with%20space/file%20name.txt', '/dir with space/file name.txt', 'encoded spaces'],
  ]
  // [raw, escaped]: the same bytes, sent raw (as curl sends a non-ASCII URL) and percent-encoded.
  const RAW_AND_ESCAPED: [string, string][] = [
    ['/\xe4\xbd\xa0\xe5\xa5\xbd.txt', '/%e4%bd%a0%e5%a5%bd.txt'],
    ['/\xe4\xbd\xa0\xe5\xa5\xbd%2etxt', '/%e4%bd%a0%e5%a5%bd.txt'],
    ['/\xff.txt', '/%ff.txt'],
    ['/caf\xe9', '/caf%e9'],
  ]
  for (const [raw, escaped] of RAW_AND_ESCAPED) {
    it(`raw bytes name what their escapes name: ${JSON.stringify(raw)} is answered as ${escaped}`, async () => {
      const send = async (target: string) => (await allAnswers(served.port, Buffer.from(get(target, 'Connection: close\r\n'), 'latin1'))).responses[0]!
      const [byRaw, byEscape] = [await send(raw), await send(escaped)]
      const why = 'RFC 3986 §2.5: a path\'s characters are UTF-8 octets, escaped or not; raw octets (which curl sends unescaped) must not name another file, or none, than the same octets escaped.'
      expect(byRaw.status, why).toBe(byEscape.status)
      if (byEscape.status === 200) expect(byRaw.body.equals(byEscape.body), why).toBe(true)
    })
  }

  for (const [target, file, why] of INSIDE) {
    it(`GET ${target} serves ${file} (${why})`, async () => {
      const client = await expectAnswerKeptOpen(served.port, get(target), { status: 200, body: served.site.files.get(file)!, why: `RFC 3986 §2.1 and §5.2.4: ${why}.` })
      client.destroy()
    })
  }
})
