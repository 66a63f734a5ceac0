// The blog's BaseHTTPRequestHandler: read one request (line, headers, body), call the method's
// handler (GET -> doGET), write the response, and again for the next request on the connection.
// Errors become a response in one place: handleOneRequest().

import { Exchange } from './exchange.ts'
import { HttpError } from './http-error.ts'
import { checkHead, parseHeaders, readBody, readRequestLine, startRequest } from './read-request.ts'
import { MAX_BODY_BYTES } from './request-parser.ts'
import { RETRY_AFTER_SECONDS, ResponseWriter } from './response-writer.ts'
import { errorPage } from './responses.ts'
import { ReadTimeout } from './socket-reader.ts'

export { RETRY_AFTER_SECONDS, SERVER_NAME } from './response-writer.ts' // where chapter 04 put them

// The methods RFC 9110 §9 defines. One of these without a doXXX is 405; any other method is 501.
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'])

type MethodHandler = () => Promise<void> | void

export class BaseHTTPRequestHandler extends ResponseWriter {
  /** One request after another on the same connection, until one of them ends it. */
  override async handle(): Promise<void> {
    for (let first = true; ; first = false) {
      if (!first) this.waitForNextRequest()
      if (!(await this.handleOneRequest())) return
      if (!this.keepAlive || this.server.isShutdown || this.request.destroyed) return
    }
  }

  /** Read one request and answer it. False if none came: the client closed, or sat idle too long. */
  async handleOneRequest(): Promise<boolean> {
    this.exchange = new Exchange() // nothing of the last request carries over
    try {
      if (!(await this.parseRequest())) return false // the client closed without sending a request
      const handler = this.handlerFor(this.method)
      if (!handler && KNOWN_METHODS.has(this.method)) {
        throw new HttpError(405, `${this.method} is not allowed here`)
      }
      if (!handler) throw new HttpError(501, `the method ${JSON.stringify(this.method)} is not implemented here`)
      await handler.call(this)
    } catch (error) {
      if (error instanceof ReadTimeout && this.isIdle()) return false // nothing was asked: close without a word
      if (this.exchange.headersEnded) throw error // the head is written: a second status line would garble it; close
      const { status, message } = this.toHttpError(error)
      // RFC 9112 §9.3: after an error inside the request, where the next one starts is unknown.
      if (!this.exchange.complete) this.exchange.keepAlive = false
      this.wbuf = [] // drop a half-written response
      this.writeError(status, message)
    }
    await this.flush()
    return true
  }

  /**
   * Between requests: wait under the keep-alive timeout, marked idle so that a shutdown closes
   * the connection now. The first byte of the next request brings the request timeout back.
   */
  private waitForNextRequest(): void {
    if (this.rfile.buffered > 0) return // pipelined: the next request is already here
    this.request.setTimeout(this.server.keepAliveTimeoutMs)
    this.server.idle.add(this.request)
    this.request.once('data', () => {
      this.request.setTimeout(this.server.requestTimeoutMs)
      this.server.idle.delete(this.request)
    })
  }

  /** Not a byte of a request has come: the connection is idle, not in the middle of a request. */
  private isIdle(): boolean {
    return this.requestLine === '' && this.rfile.buffered === 0
  }

  /** What went wrong, as the error response to send. */
  toHttpError(error: unknown): HttpError {
    if (error instanceof HttpError) return error
    if (error instanceof ReadTimeout) return new HttpError(408, `no data from the client for ${this.server.requestTimeoutMs} ms`)
    console.error(`${this.requestLine}: ${String(error)}`)
    return new HttpError(500, 'the server failed while answering')
  }

  /** HEAD is GET without the body (RFC 9110 §9.3.2): same status, same headers. */
  doHEAD(): Promise<void> | void {
    const get = this.handlerFor('GET')
    if (!get) throw new HttpError(405, 'HEAD is not allowed here')
    this.exchange.headOnly = true
    return get.call(this)
  }

  /** The methods this handler answers, for the Allow header of a 405. */
  allowedMethods(): string[] {
    return [...KNOWN_METHODS].filter((method) => this.handlerFor(method) && (method !== 'HEAD' || this.handlerFor('GET')))
  }

  /** The doXXX method for an HTTP method, if this handler has one. */
  handlerFor(method: string): MethodHandler | undefined {
    const handler: unknown = Reflect.get(this, `do${method}`)
    return typeof handler === 'function' ? (handler as MethodHandler) : undefined
  }

  /** Read the request line, the headers and the body (read-request.ts). False if the client sent nothing. */
  async parseRequest(): Promise<boolean> {
    const line = await readRequestLine(this.rfile)
    if (line === undefined) return false
    startRequest(this.exchange, line)
    this.exchange.headers = await parseHeaders(this.rfile)
    const length = checkHead(this.exchange)
    // Refuse before reading: a client that declares 1 GiB is answered at once, not after 1 GiB.
    const limit = this.maxBodyBytes()
    if (length > limit) throw new HttpError(413, `the body is ${length} bytes; the limit here is ${limit}`)
    this.exchange.body = await readBody(this.rfile, this.headers, length, limit)
    this.exchange.complete = true
    return true
  }

  /** The largest body this request may have; a handler lowers it for paths that take less. */
  maxBodyBytes(): number {
    return MAX_BODY_BYTES
  }

  writeError(code: number, message: string): void {
    const body = errorPage(code, message)
    this.writeResponse(code)
    if (code === 405) this.writeHeader('Allow', this.allowedMethods().join(', '))
    if (code === 503) this.writeHeader('Retry-After', RETRY_AFTER_SECONDS)
    this.writeHeader('Content-Type', 'text/html; charset=utf-8')
    this.writeHeader('Content-Length', Buffer.byteLength(body))
    this.endHeaders()
    this.write(body)
  }
}
