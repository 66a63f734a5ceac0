// Chapter 11, black-box: methods (RFC 9110 §9). HEAD is GET without the body; an unknown method is
// 501; TRACE never reflects the request; CONNECT and OPTIONS get real answers; a 405 always says,
// in Allow, what would have worked, and what it says is true.

import { describe, expect, it } from 'vitest'
import { RawClient, expectResponse, header, hint, type HttpResponse } from '../../../scripts/kit/index.ts'
import { allowed, checkStatus, expectAnswerKeptOpen, get, serveChapter } from './wire.ts'

const served = serveChapter()
const request = (method: string, target: string, extra = '') => `${method} ${target} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`

/** One request on its own connection, its response. */
async function ask(method: string, target: string, extra = ''): Promise<{ client: RawClient; response: HttpResponse }> {
  const client = await RawClient.connect(served.port)
  await client.send(request(method, target, `Connection: close\r\n${extra}`))
  const response = await client.readResponse({ head: method === 'HEAD' })
  return { client, response }
}

/** The headers of a response without the ones that may differ from one second to the next. */
function stableHeaders(response: HttpResponse): Record<string, string[]> {
  return Object.fromEntries([...response.headers].filter(([name]) => name !== 'date'))
}

describe('methods', hint('chapters/04-responses/README.md#which-status-code'), () => {
  // [target, what]: HEAD must match GET for each kind of answer.
  const HEAD_TARGETS: [string, string][] = [
    ['/notes.txt', 'a file (200)'],
    ['/missing', 'a missing file (404)'],
    ['/sub', 'a directory without its slash (301)'],
    ['/api/me', 'the API without a session (401)'],
    ['/api/login', 'a POST-only resource (405)'],
    ['/%zz', 'a malformed path (400)'],
  ]
  for (const [target, what] of HEAD_TARGETS) {
    it(`HEAD ${target}, ${what}: the same status and headers as GET, and no body`, hint('chapters/04-responses/README.md#head'), async () => {
      const client = await RawClient.connect(served.port)
      await client.send(request('HEAD', target) + request('GET', target) + request('GET', '/style.css', 'Connection: close\r\n'))
      const head = await client.readResponse({ head: true })
      const full = await client.readResponse()
      const why = 'RFC 9110 §9.3.2: the server SHOULD send the same header fields in response to HEAD as to GET, and MUST NOT send a body.'
      expect(head.status, why).toBe(full.status)
      expect(stableHeaders(head), why).toEqual(stableHeaders(full))
      expectResponse({ client, response: await client.readResponse() }, { status: 200, body: served.site.files.get('/style.css')!, why: `No body bytes after the HEAD's headers: the next response starts right there. ${why}` })
    })
  }

  for (const method of ['BREW', 'PROPFIND', 'SEARCH', 'X-CUSTOM']) {
    it(`an unknown method ${method} → 501, and the connection stays usable`, async () => {
      const client = await expectAnswerKeptOpen(served.port, request(method, '/notes.txt'), {
        status: 501,
        why: 'RFC 9110 §9.1: an origin server that does not recognize a method SHOULD answer 501 (Not Implemented), not 404 or 405.',
      })
      await client.send(get('/notes.txt'))
      expectResponse({ client, response: await client.readResponse() }, { status: 200, why: 'The 501 answered a complete request; the next one is served.' })
      client.destroy()
    })
  }

  it('TRACE never echoes the request back', hint('chapters/11-hardening/README.md#options-trace-and-connect'), async () => {
    const secret = 'trace-me-not-4711'
    const { client, response } = await ask('TRACE', '/notes.txt', `X-Secret: ${secret}\r\nCookie: sid=${secret}\r\n`)
    checkStatus(client, response, { status: [405, 501], why: 'RFC 9110 §9.3.8: TRACE is optional; a server that does not want it answers 405 or 501.' })
    expect(response.raw.toString('latin1'), 'RFC 9110 §9.3.8: a TRACE echo would hand a cookie to a script that cannot read it (cross-site tracing)').not.toContain(secret)
    expect(header(response, 'content-type') ?? '').not.toMatch(/message\/http/)
  })

  it('CONNECT host:port is answered 405 (with Allow) or 501; this server is no tunnel', hint('chapters/11-hardening/README.md#options-trace-and-connect'), async () => {
    const { client, response } = await ask('CONNECT', 'localhost:443', '')
    checkStatus(client, response, { status: [405, 501], why: 'RFC 9110 §9.3.6: CONNECT asks for a tunnel; an origin server answers it as a method it does not allow (405) or does not implement (501), never 400: the request is well-formed (RFC 9112 §3.2.3).' })
    if (response.status === 405) expect(allowed(response), 'RFC 9110 §15.5.6: a 405 MUST have Allow').toBeDefined()
  })

  it('OPTIONS * (the server as a whole) → 200 or 204 with Allow', hint('chapters/11-hardening/README.md#options-trace-and-connect'), async () => {
    const { client, response } = await ask('OPTIONS', '*')
    checkStatus(client, response, { status: [200, 204], why: 'RFC 9110 §9.3.7: OPTIONS * asks about the server in general; RFC 9112 §3.2.4 makes "*" a valid target for it.' })
    expect(allowed(response), 'Allow lists what the server does').toEqual(expect.arrayContaining(['GET', 'HEAD', 'OPTIONS']))
    expect(response.body.length, 'nothing to say beyond Allow').toBe(0)
  })

  // [target, methods its Allow must hold exactly]
  const OPTIONS_TARGETS: [string, string[]][] = [
    ['/notes.txt', ['GET', 'HEAD', 'OPTIONS']],
    ['/missing', ['GET', 'HEAD', 'OPTIONS']],
    ['/api/login', ['POST', 'OPTIONS']],
    ['/api/me', ['GET', 'HEAD', 'OPTIONS']],
  ]
  for (const [target, methods] of OPTIONS_TARGETS) {
    it(`OPTIONS ${target} → 200 or 204 with Allow: ${methods.join(', ')}`, hint('chapters/11-hardening/README.md#options-trace-and-connect'), async () => {
      const { client, response } = await ask('OPTIONS', target)
      checkStatus(client, response, { status: [200, 204], why: 'RFC 9110 §9.3.7: OPTIONS asks which methods a resource takes; the answer is in Allow.' })
      expect(allowed(response)?.sort()).toEqual([...methods].sort())
    })
  }

  // Every known method on every kind of resource: a 405 has an Allow that does not list the
  // method, and every method it lists is not itself a 405 there.
  const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'OPTIONS']
  const TARGETS = ['/notes.txt', '/missing', '/sub/', '/api/login', '/api/logout', '/api/me']
  for (const target of TARGETS) {
    it(`405 on ${target} always has a truthful Allow`, async () => {
      const statuses = new Map<string, number>()
      const allows = new Map<string, string[] | undefined>()
      for (const method of METHODS) {
        const { response } = await ask(method, target, 'Content-Length: 0\r\n')
        statuses.set(method, response.status)
        allows.set(method, allowed(response))
      }
      for (const method of METHODS) {
        if (statuses.get(method) !== 405) continue
        const allow = allows.get(method)
        const why = `RFC 9110 §15.5.6: the origin server MUST generate an Allow header in a 405 response (${method} ${target}).`
        if (!allow || allow.length === 0) throw new Error(`${why}\nExpected: an Allow header listing methods\nBut: ${JSON.stringify(allow)}`)
        expect(allow, `${why} It does not list the refused method.`).not.toContain(method)
        for (const listed of allow) {
          if (statuses.get(listed) === 405) throw new Error(`RFC 9110 §10.2.1: Allow lists the methods the resource supports; ${target} lists ${listed}, which is itself answered 405.`)
        }
      }
    })
  }

  it('the server still answers a good request after all that', async () => {
    const client = await expectAnswerKeptOpen(served.port, get('/notes.txt'), { status: 200, body: served.site.files.get('/notes.txt')!, why: 'No method may hurt the server.' })
    client.destroy()
  })
})
