// The blog's SimpleHTTPRequestHandler: GET (and so HEAD) serves files from the document root;
// POST /api/login, POST /api/logout and GET /api/me log a user in and out. A client that has some of
// a file's bytes already gets 304 Not Modified, or 206 Partial Content with the bytes it lacks. A
// client that can decode br or gzip gets text compressed, from a precompressed copy or on the fly.
// A file up to 1 MiB is answered from memory (file-cache.ts), its responses prepared beforehand.

import type { Stats } from 'node:fs'
import { open, realpath, stat, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream'
import { BaseHTTPRequestHandler, RETRY_AFTER_SECONDS } from './base-http-handler.ts'
import { isNotModified, isRangeCurrent, validatorsFor, type Validators } from './conditional.ts'
import { SIBLING_EXTENSIONS, chooseContentCoding, codedEtag, createCompressor, isCompressible, type ContentCoding } from './content-coding.ts'
import { contentTypeFor } from './content-types.ts'
import { wholeResponse, type CachedFile } from './file-cache.ts'
import { httpDateNow } from './http-date.ts'
import { HttpError } from './http-error.ts'
import { readJsonLogin, requireContentLength } from './json-body.ts'
import type { PasswordJob } from './password-worker.ts'
import { parseRange, type ByteRange } from './range.ts'
import { SESSION_COOKIE, clearedSessionCookie, parseCookies, sessionCookie } from './sessions.ts'
import type { SimpleHTTPServer } from './simple-http-server.ts'
import { isInside, pathToSegments, resolveInRoot } from './static-files.ts'
import { PoolBusy, WorkerCrashed } from './worker-pool.ts'
import { MAX_CACHED_FILE_BYTES, MAX_LOGIN_BODY_BYTES } from './limits.ts'

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
const FILE_METHODS = ['GET', 'HEAD', 'OPTIONS']

export class SimpleHTTPRequestHandler extends BaseHTTPRequestHandler {
  declare readonly server: SimpleHTTPServer

  /** Not async: a file in the cache is answered without a promise (README "What made it fast", step 3). */
  doGET(): Promise<void> | void {
    const { pathname, query } = this // the query string does not name a file
    if (ROUTES[pathname]) return this.followRoute(pathname)
    const cached = this.server.files.lookup(pathname)
    // A range, or a compressed answer, comes from disk, as in chapter 11.
    if (cached && !this.headers.has('range') && (!cached.compressible || this.contentCodingFor() === 'identity')) return this.sendCached(cached)
    return this.sendFromDisk(pathname, query)
  }

  private async sendFromDisk(pathname: string, query: string): Promise<void> {
    let segments = pathToSegments(pathname)
    let filePath = await resolveInRoot(this.server.root, segments)
    if (filePath && (await stat(filePath)).isDirectory()) {
      // A directory's page is its index.html, at the address with a trailing slash, so that
      // the page's relative links resolve inside the directory.
      if (!pathname.endsWith('/')) return this.redirectToSlash(segments, query)
      segments = [...segments, INDEX_FILE]
      filePath = await resolveInRoot(this.server.root, segments)
    }
    if (!filePath) throw new HttpError(404, `${pathname} was not found`)
    const file = await open(filePath, 'r')
    let sibling: { file: FileHandle; info: Stats } | undefined // a precompressed copy, when one is sent
    try {
      const info = await file.stat() // the file we opened, not whatever the name points to now
      if (!info.isFile()) throw new HttpError(404, `${pathname} is not a file`)
      const validators = validatorsFor(info)
      // RFC 9110 §12.5.5: the answer depends on Accept-Encoding whenever the file could be compressed.
      const compressible = isCompressible(contentTypeFor(filePath), info.size)
      let coding = compressible ? this.contentCodingFor() : 'identity'
      if (coding !== 'identity') sibling = await this.openPrecompressed(filePath, coding, info)
      // RFC 9112 §7.1: compressing on the fly needs chunked framing, which HTTP/1.0 lacks.
      if (coding !== 'identity' && !sibling && this.version === 'HTTP/1.0') coding = 'identity'
      if (coding === 'identity' && info.size <= MAX_CACHED_FILE_BYTES && !this.headers.has('range')) {
        // Cached under the path as named, links and all: a link switched to another release is
        // seen at the next lookup's stat. Its headers are made from the bytes actually read.
        const cached = toCachedFile(path.join(this.server.root, ...segments), await file.readFile(), validators, contentTypeFor(filePath), info.mtime, this.server.cacheControl)
        this.server.files.store(pathname, cached, info)
        return this.sendCached(cached)
      }
      // RFC 9110 §8.8.3: the coded bytes are another representation, with a tag of their own.
      const sent = { ...validators, etag: codedEtag(sibling ? validatorsFor(sibling.info).etag : validators.etag, coding) }
      // RFC 9110 §13.2.2: the client's copy is checked first; a 304 goes before any Range. A copy
      // of the file in either form is current while the file is.
      if ([sent.etag, validators.etag].some((etag) => isNotModified(this.headers, etag, info.mtime))) return this.sendNotModified(sent, compressible)
      const range = this.rangeFor(info.size, validators)
      if (range === 'unsatisfiable') return this.sendRangeNotSatisfiable(info.size)
      this.writeResponse(range ? 206 : 200)
      this.writeValidators(sent)
      this.writeHeader('Accept-Ranges', 'bytes') // RFC 9110 §14.3: a part of this file may be asked for
      this.writeHeader('Content-Type', contentTypeFor(filePath))
      if (coding !== 'identity') this.writeHeader('Content-Encoding', coding) // RFC 9110 §8.4
      if (compressible) this.writeHeader('Vary', 'Accept-Encoding') // RFC 9110 §12.5.5: for caches
      if (range) this.writeHeader('Content-Range', `bytes ${range.start}-${range.end}/${info.size}`)
      // RFC 9112 §6.1: compressed on the fly, the length is known only at the end: chunked.
      if (coding !== 'identity' && !sibling) this.writeHeader('Transfer-Encoding', 'chunked')
      else this.writeHeader('Content-Length', range ? range.end - range.start + 1 : (sibling?.info ?? info).size)
      this.endHeaders()
      if (this.headOnly) return
      if (coding === 'identity') await this.writeFile(file, range)
      else if (sibling) await this.writeFile(sibling.file)
      else await this.writeFrom(pipeline(file.createReadStream({ highWaterMark: READ_CHUNK_BYTES, autoClose: false }), createCompressor(coding), () => {}), true)
    } finally {
      await file.close()
      await sibling?.file.close()
    }
  }

  /** A file from memory: one prepared buffer for the usual 200, else the prepared headers. */
  private sendCached(file: CachedFile): void {
    const notModified = isNotModified(this.headers, file.etag, file.mtime)
    const whole = notModified || this.headOnly ? undefined : wholeResponse(file, httpDateNow(), this.connectionHeader(), this)
    if (whole) return this.writePrepared(200, whole, file.body.length) // the usual hit: one buffer, one write
    this.writeResponse(notModified ? 304 : 200)
    this.write(notModified ? file.notModifiedHeaders : file.headers)
    this.endHeaders()
    if (!notModified) this.write(file.body)
  }

  /** Only a route takes POST: for a file it is 405. */
  doPOST(): Promise<void> | void {
    return this.followRoute(this.pathname)
  }

  /** The methods this path takes, for the Allow header of a 405 or an OPTIONS. */
  override allowedMethods(): string[] {
    if (this.pathname === '*') return super.allowedMethods() // OPTIONS *: the server as a whole
    const routes = ROUTES[this.pathname]
    return routes ? methodsOf(routes) : FILE_METHODS
  }

  override maxBodyBytes(): number {
    return this.pathname === '/api/login' ? Math.min(MAX_LOGIN_BODY_BYTES, super.maxBodyBytes()) : super.maxBodyBytes() // never more than --max-body
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

  /** ETag and Last-Modified (RFC 9110 §8.8), and Cache-Control (RFC 9111 §5.2) when the server has one. */
  private writeValidators({ etag, lastModified }: Validators): void {
    this.writeHeader('ETag', etag)
    this.writeHeader('Last-Modified', lastModified)
    if (this.server.cacheControl) this.writeHeader('Cache-Control', this.server.cacheControl)
  }

  /** RFC 9110 §15.4.5: a 304 has no body, and the validators (and Vary) a 200 would have had. */
  private sendNotModified(validators: Validators, vary = false): void {
    this.writeResponse(304)
    this.writeValidators(validators)
    if (vary) this.writeHeader('Vary', 'Accept-Encoding')
    this.endHeaders()
  }

  /**
   * The coding to send a compressible file with. A Range counts bytes of one representation, and a
   * compressed stream's bytes are not known before it is made: a request with Range gets identity.
   */
  private contentCodingFor(): ContentCoding {
    if (this.headers.has('range')) return 'identity'
    return chooseContentCoding(this.headers.get('accept-encoding'))
  }

  /** file.br or file.gz beside the file, opened, when it is a file inside the root and not older. */
  private async openPrecompressed(filePath: string, coding: ContentCoding, info: Stats): Promise<{ file: FileHandle; info: Stats } | undefined> {
    let file: FileHandle | undefined
    try {
      const real = await realpath(filePath + SIBLING_EXTENSIONS[coding]) // a link may point anywhere
      if (!isInside(this.server.root, real)) return undefined
      file = await open(real, 'r')
      const siblingInfo = await file.stat()
      // Older than the file: made from an earlier version of it, so not the same content.
      if (siblingInfo.isFile() && siblingInfo.mtimeMs >= info.mtimeMs) return { file, info: siblingInfo }
    } catch {
      // no sibling: compress on the fly
    }
    await file?.close()
    return undefined
  }

  /**
   * The range to send, or none: no Range header, or an If-Range that names another copy of the
   * file (RFC 9110 §13.1.5). Only GET and HEAD come here, the methods range handling is for (§14.2).
   */
  private rangeFor(size: number, validators: Validators): ByteRange | 'unsatisfiable' | undefined {
    const range = this.headers.get('range')
    if (range === undefined) return undefined
    const ifRange = this.headers.get('if-range')
    if (ifRange !== undefined && !isRangeCurrent(ifRange, validators)) return undefined
    return parseRange(range, size)
  }

  /** RFC 9110 §15.5.17: none of the bytes asked for exist; Content-Range says how many do. */
  private sendRangeNotSatisfiable(size: number): void {
    const body = `The file has ${size} bytes; the range asked for none of them.\n`
    this.writeResponse(416)
    this.writeHeader('Content-Range', `bytes */${size}`)
    this.writeHeader('Content-Type', 'text/plain; charset=utf-8')
    this.writeHeader('Content-Length', Buffer.byteLength(body))
    this.endHeaders()
    this.write(body)
  }

  /** Stream the file, or a range of it: memory stays at one chunk, and a slow client slows the reads. */
  private async writeFile(file: FileHandle, range?: ByteRange): Promise<void> {
    await this.writeFrom(file.createReadStream({ highWaterMark: READ_CHUNK_BYTES, autoClose: false, ...range }))
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

/** The methods of a path's routes, with HEAD beside GET (RFC 9110 §9.3.2), and OPTIONS, which every path takes. */
function methodsOf(routes: Record<string, Route>): string[] {
  return [...Object.keys(routes).flatMap((method) => (method === 'GET' ? ['GET', 'HEAD'] : [method])), 'OPTIONS']
}

/** A file read whole, with its headers prepared once: for 200 and for 304. */
function toCachedFile(namedPath: string, body: Buffer, { etag, lastModified }: Validators, contentType: string, mtime: Date, cacheControl: string | undefined): CachedFile {
  const compressible = isCompressible(contentType, body.length)
  const validators = `ETag: ${etag}\r\nLast-Modified: ${lastModified}\r\n${cacheControl ? `Cache-Control: ${cacheControl}\r\n` : ''}`
  const vary = compressible ? 'Vary: Accept-Encoding\r\n' : '' // RFC 9110 §12.5.5, on the plain form too
  const headers = `${validators}Accept-Ranges: bytes\r\nContent-Type: ${contentType}\r\n${vary}Content-Length: ${body.length}\r\n`
  return { namedPath, body, etag, lastModified, mtime, headers, notModifiedHeaders: `${validators}${vary}`, compressible, ready: { date: '', byConnection: new Map() } }
}
