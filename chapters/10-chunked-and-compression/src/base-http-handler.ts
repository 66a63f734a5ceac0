// The blog's BaseHTTPRequestHandler: read one request (line, headers, body), call the method's
// handler (GET -> doGET), write the response, and again for the next request on the connection.
// Errors become a response in one place: handleOneRequest().

import { readChunkedBody, recordDecodedLength } from './chunked-body.ts'
import { HttpError } from './http-error.ts'
import { formatHttpDate } from './http-date.ts'
import {
  CHUNKED,
  MAX_BODY_BYTES,
  MAX_HEADER_BYTES,
  MAX_HEADER_FIELDS,
  MAX_REQUEST_LINE_BYTES,
  RequestHeaders,
  bodyLength,
  checkHost,
  parseHeaderLine,
  parseRequestLine,
  stripLineEnding,
  wantsKeepAlive,
} from './request-parser.ts'
import { errorPage, reasonFor } from './responses.ts'
import { LineTooLong, ReadTimeout } from './socket-reader.ts'
import { StreamRequestHandler } from './stream-handler.ts'

export const SERVER_NAME = 'workbook/0.4' // RFC 9110 §10.2.4: product "/" version
export const RETRY_AFTER_SECONDS = 1 // what a 503 asks the client to wait before it tries again

// The methods RFC 9110 §9 defines. One of these without a doXXX is 405; any other method is 501.
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'])

type MethodHandler = () => Promise<void> | void

export class BaseHTTPRequestHandler extends StreamRequestHandler {
  requestLine = ''
  method = ''
  path = ''
  version = ''
  headers = new RequestHeaders()
  body: Buffer = Buffer.alloc(0)
  /** Set for HEAD: the response is written as for GET, and its body is dropped. */
  headOnly = false
  /** Keep the connection open for another request after this response (RFC 9112 §9.3). */
  keepAlive = false
  private headersEnded = false
  /** The whole request has been read: the stream is positioned at the next one. */
  private requestComplete = false

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
    this.resetRequest()
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
      if (this.headersEnded) throw error // the head is written: a second status line would garble it; close
      const { status, message } = this.toHttpError(error)
      // RFC 9112 §9.3: after an error inside the request, where the next one starts is unknown.
      if (!this.requestComplete) this.keepAlive = false
      this.wbuf = [] // drop a half-written response
      this.writeError(status, message)
    }
    await this.flush()
    return true
  }

  /** Forget the last request: nothing of it may carry over to the next one on the connection. */
  private resetRequest(): void {
    this.requestLine = ''
    this.method = ''
    this.path = ''
    this.version = ''
    this.headers = new RequestHeaders()
    this.body = Buffer.alloc(0)
    this.headOnly = false
    this.keepAlive = false
    this.headersEnded = false
    this.requestComplete = false
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
    this.headOnly = true
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

  /** Read the request line, the headers and the body. False if the client sent nothing. */
  async parseRequest(): Promise<boolean> {
    let line = await this.readHeadLine(MAX_REQUEST_LINE_BYTES, 414, 'the request line')
    // RFC 9112 §2.2: ignore empty lines before the request line (some clients send a stray CRLF).
    for (let skipped = 0; line === '' && skipped < 4; skipped++) line = await this.readHeadLine(MAX_REQUEST_LINE_BYTES, 414, 'the request line')
    if (line === undefined || line === '') return false
    this.requestLine = line
    const { method, target, version } = parseRequestLine(line)
    this.method = method
    this.path = target
    this.version = version
    this.headOnly = method === 'HEAD' // from here on, even an error answer to HEAD has no body
    if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') throw new HttpError(505, `${version} is not supported; use HTTP/1.1`)
    this.headers = await this.parseHeaders()
    checkHost(this.headers, this.version)
    this.keepAlive = wantsKeepAlive(this.version, this.headers)
    const length = bodyLength(this.headers, this.version)
    // Refuse before reading: a client that declares 1 GiB is answered at once, not after 1 GiB.
    const limit = this.maxBodyBytes()
    if (length > limit) throw new HttpError(413, `the body is ${length} bytes; the limit here is ${limit}`)
    if (length === CHUNKED) {
      // RFC 9112 §7.1: the length is known only at the last chunk; the limit is checked chunk by chunk.
      this.body = await readChunkedBody(this.rfile, limit)
      recordDecodedLength(this.headers, this.body.length)
    } else {
      this.body = await this.read(length)
      if (this.body.length < length) throw new HttpError(400, `the body ended after ${this.body.length} of ${length} bytes`)
    }
    this.requestComplete = true
    return true
  }

  /** The largest body this request may have; a handler lowers it for paths that take less. */
  maxBodyBytes(): number {
    return MAX_BODY_BYTES
  }

  /** Header lines up to the empty line that ends the head. */
  async parseHeaders(): Promise<RequestHeaders> {
    const headers = new RequestHeaders()
    let budget = MAX_HEADER_BYTES
    for (let count = 0; ; count++) {
      const line = await this.readHeadLine(budget, 431, 'the header block')
      if (line === undefined) throw new HttpError(400, 'the connection ended inside the headers')
      if (line === '') return headers
      if (count === MAX_HEADER_FIELDS) throw new HttpError(431, `more than ${MAX_HEADER_FIELDS} header fields`)
      budget -= line.length + 2
      headers.add(...parseHeaderLine(line))
    }
  }

  /** One line of the head as text; undefined at the end of the stream. */
  private async readHeadLine(limit: number, status: number, what: string): Promise<string | undefined> {
    try {
      const line = await this.readline(Math.max(limit, 2))
      if (line.length === 0) return undefined
      if (line[line.length - 1] !== 0x0a) throw new HttpError(400, `the connection ended inside ${what}`)
      return stripLineEnding(line)
    } catch (error) {
      if (error instanceof LineTooLong) throw new HttpError(status, `${what} is longer than ${error.limit} bytes`)
      throw error
    }
  }

  /** The status line, and the headers every response carries. */
  writeResponse(code: number, message = reasonFor(code)): void {
    this.write(`HTTP/1.1 ${code} ${message}\r\n`)
    this.writeHeader('Server', SERVER_NAME)
    this.writeHeader('Date', formatHttpDate())
    if (this.server.isShutdown) this.keepAlive = false // shutting down: this is the connection's last response
    // RFC 9112 §9.6: say when we will close. HTTP/1.0 keeps the connection only when both say so.
    if (!this.keepAlive) this.writeHeader('Connection', 'close')
    else if (this.version === 'HTTP/1.0') this.writeHeader('Connection', 'keep-alive')
  }

  writeHeader(name: string, value: string | number): void {
    this.write(`${name}: ${value}\r\n`)
  }

  endHeaders(): void {
    this.write('\r\n')
    this.headersEnded = true
  }

  /** After the headers of a HEAD response, nothing more goes out. */
  override write(data: string | Buffer): void {
    if (this.headOnly && this.headersEnded) return
    super.write(data)
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
