// The blog's SimpleHTTPRequestHandler: GET (and so HEAD) serves files from the document root.

import { open, stat, type FileHandle } from 'node:fs/promises'
import { BaseHTTPRequestHandler } from './base-http-handler.ts'
import { contentTypeFor } from './content-types.ts'
import { HttpError } from './http-error.ts'
import type { SimpleHTTPServer } from './simple-http-server.ts'
import { pathToSegments, resolveInRoot, splitTarget } from './static-files.ts'

const INDEX_FILE = 'index.html'
const READ_CHUNK_BYTES = 64 * 1024 // 64 KiB per read from disk

/** Answers one method on one path, for the handler that read the request. */
type Route = (handler: SimpleHTTPRequestHandler) => Promise<void> | void

// The route table: the paths answered by code instead of a file, and the route for each method
// each takes. Every other path is a file.
const ROUTES: Record<string, Record<string, Route>> = {} // none yet: chapter 6 adds the login API
const FILE_METHODS = ['GET', 'HEAD']

export class SimpleHTTPRequestHandler extends BaseHTTPRequestHandler {
  declare readonly server: SimpleHTTPServer

  async doGET(): Promise<void> {
    const { pathname, query } = splitTarget(this.path) // the query string does not name a file
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

  /** The methods this path takes, for the Allow header of a 405: its routes', or a file's. */
  override allowedMethods(): string[] {
    const routes = ROUTES[splitTarget(this.path).pathname]
    return routes ? methodsOf(routes) : FILE_METHODS
  }

  /** The path's route for this request's method, or 405. allowedMethods() reads the same table, so Allow agrees. */
  private followRoute(pathname: string): Promise<void> | void {
    const method = this.method === 'HEAD' ? 'GET' : this.method // HEAD takes GET's route; a HEAD's 405 is GET's, byte for byte
    const route = ROUTES[pathname]?.[method]
    if (!route) throw new HttpError(405, `${pathname} does not take ${method}`)
    return route(this)
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
