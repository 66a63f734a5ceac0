// The blog's BaseHTTPRequestHandler: read one request (line, headers, body), call the method's
// handler (GET -> doGET), write the response, and again for the next request on the connection.
// Errors become a response in one place: handleOneRequest(). Reading the request is
// read-request.ts; writing the response, response-writer.ts.

import { formatAccessLog } from './access-log.ts'
import { Exchange } from './exchange.ts'
import { HttpError } from './http-error.ts'
import { checkHead, expectsContinue, parseHeaders, readBody, readRequestLine, startRequest, waitForRequest } from './read-request.ts'
import { RETRY_AFTER_SECONDS, ResponseWriter } from './response-writer.ts'
import { RequestHeaders } from './request-parser.ts'
import { errorPage } from './responses.ts'
import { ReadTimeout } from './socket-reader.ts'

export { RETRY_AFTER_SECONDS, SERVER_NAME } from './response-writer.ts' // where chapter 04 put them

// The methods RFC 9110 §9 defines. One of these without a doXXX is 405; any other method is 501.
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'])

// "doGET" looked up, not built, for every request: a new string is also a slower property lookup (step 4)
const HANDLER_NAMES: Record<string, string> = Object.fromEntries([...KNOWN_METHODS].map((method) => [method, `do${method}`]))

type MethodHandler = () => Promise<void> | void

export class BaseHTTPRequestHandler extends ResponseWriter {
  /** One request after another on the same connection, until one of them ends it. */
  override async handle(): Promise<void> {
    for (let first = true; ; first = false) {
      if (!(await this.handleOneRequest(first))) return
      if (!this.keepAlive || this.server.isShutdown || this.request.destroyed) return
    }
  }

  /** Read one request and answer it. False if none came: the client closed, or sat idle too long. */
  async handleOneRequest(first: boolean): Promise<boolean> {
    this.exchange = new Exchange() // nothing of the last request carries over
    this.bytesSent = 0
    try {
      if (!(await this.parseRequest(first))) return false // the client closed without sending a request
      const handler = this.handlerFor(this.method)
      if (!handler && KNOWN_METHODS.has(this.method)) {
        throw new HttpError(405, `${this.method} is not allowed here`)
      }
      if (!handler) throw new HttpError(501, `the method ${JSON.stringify(this.method)} is not implemented here`)
      const answering = handler.call(this) // a cached file is answered at once: no promise to await (README "What made it fast", step 3)
      if (answering) await answering
    } catch (error) {
      if (error instanceof ReadTimeout && this.isIdle()) return false // nothing was asked: close without a word
      if (this.exchange.headersEnded) throw error // the head is written: a second status line would garble it; close
      const { status, message } = this.toHttpError(error)
      // RFC 9112 §9.3: after an error inside the request, where the next one starts is unknown.
      if (!this.exchange.complete) this.exchange.keepAlive = false
      this.wbuf = [] // drop a half-written response
      this.writeError(status, message)
    }
    const flushing = this.flush() // a promise only when the client is slow to read
    if (flushing) await flushing
    this.logRequest()
    return true
  }

  /** One line in the common log format, if the server keeps an access log. */
  private logRequest(): void {
    if (!this.server.accessLog || !this.requestLine) return
    this.server.accessLog(formatAccessLog(this.request.remoteAddress ?? '-', new Date(), this.requestLine, this.exchange.status, this.bytesSent))
  }

  /** Not a byte of a request has come: the connection is idle, not in the middle of a request. */
  private isIdle(): boolean {
    return this.requestLine === '' && this.rfile.buffered === 0
  }

  /** At shutdown: a connection waiting for its next request is closed now. */
  override closeIfIdle(): void {
    if (this.isIdle()) this.request.destroy()
  }

  /**
   * Nothing more can come after the client's FIN, or after a request read to its end that asked to
   * close (RFC 9112 §9.6) with nothing behind it: then the server closes at once (TCPServer.closeNow;
   * nginx's lingering_close heuristic; README "What made it fast", step 6).
   */
  override mayStillSend(): boolean {
    if (this.request.readableEnded) return false
    return !(this.exchange.complete && !this.keepAlive && this.rfile.buffered === 0)
  }

  /** What went wrong, as the error response to send. */
  toHttpError(error: unknown): HttpError {
    if (error instanceof HttpError) return error
    if (error instanceof ReadTimeout) return new HttpError(408, 'the request did not arrive in time')
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

  /** RFC 9110 §9.3.7: which methods the target takes; with "*", what the server does at all. */
  doOPTIONS(): void {
    this.writeResponse(204)
    this.writeHeader('Allow', this.allowedMethods().join(', '))
    this.endHeaders()
  }

  /** The methods this handler answers, for the Allow header of a 405 or an OPTIONS. */
  allowedMethods(): string[] {
    return [...KNOWN_METHODS].filter((method) => this.handlerFor(method) && (method !== 'HEAD' || this.handlerFor('GET')))
  }

  /** The doXXX method for an HTTP method, if this handler has one. */
  handlerFor(method: string): MethodHandler | undefined {
    const handler: unknown = Reflect.get(this, HANDLER_NAMES[method] ?? `do${method}`)
    return typeof handler === 'function' ? (handler as MethodHandler) : undefined
  }

  /** Read the request line, the headers and the body (read-request.ts). False if the client sent nothing. */
  async parseRequest(first: boolean): Promise<boolean> {
    if (this.rfile.buffered === 0 && !(await waitForRequest(this.rfile, this.server, first))) return false // then the line is read at once (step 3)
    const next = readRequestLine(this.rfile, this.exchange, this.server, first)
    const line = typeof next === 'object' ? await next : next // await only what must wait (README "What made it fast", step 3)
    if (line === undefined) return false
    startRequest(this.exchange, line)
    const headers = parseHeaders(this.rfile, this.exchange, this.server)
    this.exchange.headers = headers instanceof RequestHeaders ? headers : await headers
    const length = checkHead(this.exchange)
    // Refuse before reading: a client that declares 1 GiB is answered at once, not after 1 GiB.
    const limit = this.maxBodyBytes()
    if (length > limit) throw new HttpError(413, `the body is ${length} bytes; the limit here is ${limit}`)
    if (length !== 0 && expectsContinue(this.headers, this.version)) await this.writeContinue()
    if (length !== 0) this.exchange.body = await readBody(this.rfile, this.headers, length, limit, this.server)
    this.rfile.deadline = undefined // the request is here: what the server does next takes its own time
    this.exchange.complete = true
    return true
  }

  /** The largest body this request may have; a handler lowers it for paths that take less. */
  maxBodyBytes(): number {
    return this.server.maxBodyBytes
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
