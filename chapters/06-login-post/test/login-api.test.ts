// Chapter 06, black-box: POST /api/login with a JSON body, a session cookie, GET /api/me and
// POST /api/logout; every kind of bad input gets its status and a JSON error, and the server
// stays up. The users are the chapter's demo file (users.json): dongdong / let-me-in.

import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest'
import { RawClient, exchange, explain, expectResponse, header, hint, repoRoot, startServer, type Exchange, type RunningServer, type SendMode } from '../../../scripts/kit/index.ts'

const USERS = path.join(repoRoot, 'chapters', '06-login-post', 'users.json')
const ROOT = path.join(repoRoot, 'chapters', '06-login-post', 'resources')
const DEMO = { username: 'dongdong', password: 'let-me-in', displayName: 'Dong Dong' }

let server: RunningServer
beforeAll(async () => {
  server = await startServer({ reference: 'chapters/06-login-post', root: ROOT, users: USERS })
})
afterAll(() => server?.stop())
afterEach(() => RawClient.destroyAll()) // a failed test must not leave its connection holding the server

function post(target: string, body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }, send: SendMode = 'whole', timeoutMs?: number): Promise<Exchange> {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')
  const length = 'Content-Length' in headers ? '' : `Content-Length: ${Buffer.byteLength(body)}\r\n`
  return exchange(server.port, `POST ${target} HTTP/1.1\r\nHost: localhost\r\n${lines}${length}\r\n${body}`, { send, ...(timeoutMs ? { timeoutMs } : {}) })
}

/** A password hash is slow by design, and a busy machine makes it slower: a login gets 15 s, not 3. */
const LOGIN_WAIT_MS = 15_000

function login(username = DEMO.username, password = DEMO.password, send: SendMode = 'whole'): Promise<Exchange> {
  return post('/api/login', JSON.stringify({ username, password }), undefined, send, LOGIN_WAIT_MS)
}

function get(target: string, cookie?: string): Promise<Exchange> {
  return exchange(server.port, `GET ${target} HTTP/1.1\r\nHost: localhost\r\n${cookie ? `Cookie: ${cookie}\r\n` : ''}\r\n`)
}

/** The `sid=...` pair from a Set-Cookie header, as a browser would send it back. */
function sessionFrom(ex: Exchange): string {
  const setCookie = header(ex.response, 'set-cookie') ?? ''
  const pair = setCookie.split(';')[0]!.trim()
  if (!/^[^=]+=.+$/.test(pair)) throw new Error(explain(ex.client, 'A successful login sets a session cookie.', ['Set-Cookie: name=value; ...'], [`Set-Cookie was ${JSON.stringify(setCookie)}`]))
  return pair
}

function expectJsonError(ex: Exchange, status: number, why: string): void {
  expectResponse(ex, { status, headers: { 'content-type': /^application\/json/i }, body: /"error"\s*:\s*"[^"]+"/, why: `${why} The answer is JSON: {"error": "..."}.` })
}

describe('logging in', hint('chapters/06-login-post/README.md#the-api-and-one-login-on-the-wire'), () => {
  it('the demo account gets 200, its name as JSON, and a session cookie', hint('chapters/06-login-post/README.md#sessions-and-the-cookie'), async () => {
    const ex = await login()
    expectResponse(ex, {
      status: 200,
      headers: { 'content-type': /^application\/json/i, 'set-cookie': /HttpOnly/i },
      body: new RegExp(`"displayName"\\s*:\\s*"${DEMO.displayName}"`),
      why: 'A login that succeeds answers who logged in, and a cookie the browser sends back.',
    })
    expectResponse(ex, { headers: { 'set-cookie': /SameSite=Strict/i }, why: 'SameSite=Strict keeps the cookie off requests started by other sites.' })
    expectResponse(ex, { headers: { 'set-cookie': /Path=\//i }, why: 'Path=/ sends the cookie with every request to this server.' })
  })

  it('GET /api/me with that cookie says who is logged in', async () => {
    const cookie = sessionFrom(await login())
    expectResponse(await get('/api/me', cookie), { status: 200, body: new RegExp(`"username"\\s*:\\s*"${DEMO.username}"`) })
  })

  it('a login sent one byte at a time works', hint('chapters/03-http-parse/README.md#the-body-exactly-how-many-bytes-rfc-9112-6'), async () => {
    expectResponse(await login(DEMO.username, DEMO.password, 'bytewise'), { status: 200 })
  })

  it('a login whose body comes in a later write works', hint('chapters/03-http-parse/README.md#the-body-exactly-how-many-bytes-rfc-9112-6'), async () => {
    const body = JSON.stringify(DEMO)
    const request = `POST /api/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
    expectResponse(await exchange(server.port, request, { send: [request.length - body.length, request.length - 5] }), { status: 200 })
  })
})

describe('who is logged in, and logging out', hint('chapters/06-login-post/README.md#sessions-and-the-cookie'), () => {
  it('GET /api/me without a cookie is 401', async () => expectJsonError(await get('/api/me'), 401, 'Nobody is logged in.'))
  it('GET /api/me with a made-up session is 401', async () => expectJsonError(await get('/api/me', 'sid=forged-session-id'), 401, 'A session id the server never issued proves nothing.'))

  it('POST /api/logout ends the session: the same cookie no longer works', async () => {
    const cookie = sessionFrom(await login())
    const ex = await exchange(server.port, `POST /api/logout HTTP/1.1\r\nHost: localhost\r\nCookie: ${cookie}\r\nContent-Length: 0\r\n\r\n`)
    expectResponse(ex, { status: 200, headers: { 'set-cookie': /Max-Age=0|Expires=Thu, 01 Jan 1970/i }, why: 'Logging out tells the browser to forget the cookie.' })
    expectJsonError(await get('/api/me', cookie), 401, 'The server ended the session, so a copy of the cookie is worthless.')
  })
})

describe('wrong credentials', hint('chapters/06-login-post/README.md#passwords-a-slow-salted-hash-compared-in-constant-time'), () => {
  it('a wrong password is 401', async () => expectJsonError(await login(DEMO.username, 'wrong'), 401, 'The password does not match.'))

  it('an unknown user gets the very same answer as a wrong password', async () => {
    const wrongPassword = await login(DEMO.username, 'wrong')
    const unknownUser = await login('nobody-by-this-name', 'wrong')
    expectResponse(unknownUser, { status: 401, body: wrongPassword.response.body.toString(), why: 'A different answer would tell an attacker which usernames exist.' })
  })
})

describe('bad input: the right status, a JSON error, and the server stays up', hint('chapters/06-login-post/README.md#reading-the-body-one-status-for-each-way-it-can-be-wrong'), () => {
  const cases: [name: string, body: string, headers: Record<string, string> | undefined, status: number, why: string][] = [
    ['invalid JSON', '{"username": "dongdong", ', undefined, 400, 'The body is not JSON.'],
    ['an empty body', '', undefined, 400, 'There is nothing to parse.'],
    ['a JSON array', '["dongdong", "let-me-in"]', undefined, 400, 'The body must be an object.'],
    ['a missing password', '{"username": "dongdong"}', undefined, 400, 'Both fields are required.'],
    ['a number for a password', '{"username": "dongdong", "password": 123456}', undefined, 400, 'Fields must be strings.'],
    ['null for a username', '{"username": null, "password": "x"}', undefined, 400, 'Fields must be strings.'],
    ['Content-Type text/plain', JSON.stringify(DEMO), { 'Content-Type': 'text/plain' }, 415, 'RFC 9110 §15.5.16: the server takes JSON only.'],
    ['a form instead of JSON', 'username=dongdong&password=let-me-in', { 'Content-Type': 'application/x-www-form-urlencoded' }, 415, 'RFC 9110 §15.5.16: the server takes JSON only.'],
    ['no Content-Type', JSON.stringify(DEMO), {}, 415, 'Without a type the server cannot know the body is JSON.'],
  ]
  for (const [name, body, headers, status, why] of cases) {
    it(`${name}: ${status}`, async () => expectJsonError(await post('/api/login', body, headers), status, why))
  }

  it('no Content-Length: 411', async () => {
    expectJsonError(await exchange(server.port, 'POST /api/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\r\n'), 411, 'RFC 9110 §15.5.12: a POST without Content-Length has no body to log in with.')
  })

  it('a body over the limit: 413 before the body is sent', async () => {
    // Only the head goes out: a server that tries to read the 100 000 bytes first never answers.
    const ex = await exchange(server.port, 'POST /api/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n')
    expectJsonError(ex, 413, 'A login is a few dozen bytes; a large one is refused from its Content-Length, without reading it.')
  })

  it('GET /api/login: 405 with "Allow: POST"', hint('chapters/06-login-post/README.md#json-errors-for-the-api-html-pages-for-files'), async () => {
    const ex = await get('/api/login')
    expectJsonError(ex, 405, 'RFC 9110 §15.5.6.')
    const allowed = (header(ex.response, 'allow') ?? '').split(',').map((method) => method.trim())
    if (!allowed.includes('POST') || allowed.includes('GET')) {
      throw new Error(explain(ex.client, 'The login takes POST, and only POST (OPTIONS may be listed too).', ['Allow: POST'], [`Allow: ${allowed.join(', ')}`]))
    }
  })

  it('an API error is JSON for an absolute-form target too', hint('chapters/06-login-post/README.md#json-errors-for-the-api-html-pages-for-files'), async () => {
    const ex = await exchange(server.port, 'GET http://localhost/api/login HTTP/1.1\r\nHost: localhost\r\n\r\n')
    expectJsonError(ex, 405, 'RFC 9112 §3.2.2: "http://localhost/api/login" names the same resource as "/api/login".')
  })

  it('after all that, the login still works and the page is still served', async () => {
    expectResponse(await login(), { status: 200 })
    expectResponse(await get('/'), { status: 200, headers: { 'content-type': /^text\/html/ }, body: /\/api\/login|login\.js/ })
  })
})
