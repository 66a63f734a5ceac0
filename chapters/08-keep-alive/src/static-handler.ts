// The blog's SimpleHTTPRequestHandler: GET (and so HEAD) serves files from the document root;
// POST /api/login, POST /api/logout and GET /api/me log a user in and out.

import { open, stat, type FileHandle } from 'node:fs/promises'
import { BaseHTTPRequestHandler, RETRY_AFTER_SECONDS } from './base-http-handler.ts'
import { contentTypeFor } from './content-types.ts'
import { HttpError } from './http-error.ts'
import { MAX_LOGIN_BODY_BYTES, readJsonLogin, requireContentLength } from './json-body.ts'
import type { PasswordJob } from './password-worker.ts'
import { SESSION_COOKIE, clearedSessionCookie, parseCookies, sessionCookie } from './sessions.ts'
import type { SimpleHTTPServer } from './simple-http-server.ts'
import { pathToSegments, resolveInRoot } from './static-files.ts'
import { PoolBusy, WorkerCrashed } from './worker-pool.ts'

const INDEX_FILE = 'index.html'
const READ_CHUNK_BYTES = 64 * 1024 // 64 KiB per read from disk

/** Answers one method on one path, for the handler that read the request. */
type Route = (handler: SimpleHTTPRequestHandler) => Promise<void> | void

// The route table: the paths answered by code instead of a file, and the route for each method
// each takes. Every other path is a file.
const ROUTES: Record<string, Record<string, Route>> = {
  '/api/login': { POST: (handler) => handler.login() },
  '/api/logout': { POST: (handler) => handler.logout() },
  '/api/me': { GET: (handler) => handler.sendMe() },
}
const FILE_METHODS = ['GET', 'HEAD']

export class SimpleHTTPRequestHandler extends BaseHTTPRequestHandler {
  declare readonly server: SimpleHTTPServer

  async doGET(): Promise<void> {
    const { pathname, query } = this // the query string does not name a file
    if (ROUTES[pathname]) return this.followRoute(pathname)
    const segments = pathToSegments(pathname)
    let filePath = await resolveInRoot(this.server.root, segments)
    if (filePath && (await stat(filePath)).isDirectory()) {
      // A directory's page is its index.html, at the address with a trailing slash, so that
      // the page's relative links resolve inside the directory.
      if (!pathname.endsWith('/')) return this.redirectToSlash(segments, query)
      filePath = await resolveInRoot(this.server.root, [...segments, INDEX_FILE])
    }
    if (!filePath) throw new HttpError(404, `${pathname} was not found`)
    const file = await open(filePath, 'r')
    try {
      const info = await file.stat() // the file we opened, not whatever the name points to now
      if (!info.isFile()) throw new HttpError(404, `${pathname} is not a file`)
      this.writeResponse(200)
      this.writeHeader('Content-Type', contentTypeFor(filePath))
      this.writeHeader('Content-Length', info.size)
      this.endHeaders()
      if (!this.headOnly) await this.writeFile(file)
    } finally {
      await file.close()
    }
  }

  /** Only a route takes POST: for a file it is 405. */
  doPOST(): Promise<void> | void {
    return this.followRoute(this.pathname)
  }

  /** The methods this path takes, for the Allow header of a 405: its routes', or a file's. */
  override allowedMethods(): string[] {
    const routes = ROUTES[this.pathname]
    return routes ? methodsOf(routes) : FILE_METHODS
  }

  override maxBodyBytes(): number {
    return this.pathname === '/api/login' ? MAX_LOGIN_BODY_BYTES : super.maxBodyBytes()
  }

  /** Errors of the API are JSON, for the page's script; errors of files stay HTML pages. */
  override writeError(code: number, message: string): void {
    if (!this.isApiRequest()) return super.writeError(code, message)
    const headers: [string, string][] = []
    if (code === 405) headers.push(['Allow', this.allowedMethods().join(', ')])
    if (code === 503) headers.push(['Retry-After', String(RETRY_AFTER_SECONDS)])
    this.writeJson(code, { error: message }, headers)
  }

  private isApiRequest(): boolean {
    return this.pathname.startsWith('/api/') // '' until the request line is read: its error is a page
  }

  /** The path's route for this request's method, or 405. allowedMethods() reads the same table, so Allow agrees. */
  private followRoute(pathname: string): Promise<void> | void {
    const method = this.method === 'HEAD' ? 'GET' : this.method // HEAD takes GET's route; a HEAD's 405 is GET's, byte for byte
    const route = ROUTES[pathname]?.[method]
    if (!route) throw new HttpError(405, `${pathname} does not take ${method}`)
    return route(this)
  }

  // The routes. Not private: the route table, outside the class, calls them.
  async login(): Promise<void> {
    requireContentLength(this.headers.get('content-length'))
    const { username, password } = readJsonLogin(this.headers.get('content-type'), this.body)
    const user = await this.server.users.checkCredentials(username, password, (candidate, stored) => this.verifyOnPool(candidate, stored))
    // The same answer for an unknown user as for a wrong password: no hint which usernames exist.
    if (!user) throw new HttpError(401, 'Wrong username or password')
    const id = this.server.sessions.createSession(user.username)
    this.writeJson(200, { username: user.username, displayName: user.displayName }, [['Set-Cookie', sessionCookie(id)]])
  }

  /** The hash runs on a worker thread; meanwhile this thread serves everyone else. */
  private async verifyOnPool(password: string, stored: string): Promise<boolean> {
    try {
      return await this.server.pool.execute<boolean>({ password, stored } satisfies PasswordJob)
    } catch (error) {
      if (error instanceof PoolBusy) throw new HttpError(503, 'too many logins are waiting; try again in a moment', { cause: error })
      if (error instanceof WorkerCrashed) throw new HttpError(500, 'the password check failed; try again', { cause: error })
      throw error
    }
  }

  logout(): void {
    this.server.sessions.endSession(parseCookies(this.headers.get('cookie')).get(SESSION_COOKIE))
    this.writeJson(200, { ok: true }, [['Set-Cookie', clearedSessionCookie()]])
  }

  sendMe(): void {
    const session = this.server.sessions.sessionFromCookies(this.headers.get('cookie'))
    const user = session && this.server.users.findUser(session.username)
    if (!user) throw new HttpError(401, 'Not logged in')
    this.writeJson(200, { username: user.username, displayName: user.displayName })
  }

  private writeJson(code: number, value: unknown, headers: [string, string][] = []): void {
    const body = `${JSON.stringify(value)}\n`
    this.writeResponse(code)
    for (const [name, headerValue] of headers) this.writeHeader(name, headerValue)
    this.writeHeader('Content-Type', 'application/json; charset=utf-8')
    this.writeHeader('Cache-Control', 'no-store') // who is logged in must never come from a cache
    this.writeHeader('Content-Length', Buffer.byteLength(body))
    this.endHeaders()
    this.write(body)
  }

  /** Stream the file: memory stays at one chunk, and a slow client slows the reads (back-pressure). */
  private async writeFile(file: FileHandle): Promise<void> {
    await this.writeFrom(file.createReadStream({ highWaterMark: READ_CHUNK_BYTES, autoClose: false }))
  }

  private redirectToSlash(segments: string[], query: string): void {
    const location = `/${segments.map(encodeURIComponent).join('/')}/${query ? `?${query}` : ''}`
    const body = `Moved to ${location}\n`
    this.writeResponse(301)
    this.writeHeader('Location', location)
    this.writeHeader('Content-Type', 'text/plain; charset=utf-8')
    this.writeHeader('Content-Length', Buffer.byteLength(body))
    this.endHeaders()
    this.write(body)
  }
}

/** The methods of a path's routes, with HEAD beside GET (RFC 9110 §9.3.2). */
function methodsOf(routes: Record<string, Route>): string[] {
  return Object.keys(routes).flatMap((method) => (method === 'GET' ? ['GET', 'HEAD'] : [method]))
}
