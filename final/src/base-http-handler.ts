// The blog's BaseHTTPRequestHandler: read one request (line, headers, body), call the method's
// handler (GET -> doGET), write the response. Errors become a response in one place: handle().

import { HttpError } from './http-error.ts'
import { formatAccessLog } from './access-log.ts'
import { Exchange } from './exchange.ts'
import { readChunkedBody, recordDecodedLength } from './chunked-body.ts'
import { httpDateNow } from './http-date.ts'
import { MAX_LEADING_EMPTY_LINES } from './limits.ts'
import {
  CHUNKED,
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
import { splitTarget } from './static-files.ts'
import { StreamRequestHandler } from './stream-handler.ts'

export const SERVER_NAME = 'workbook/1.0' // RFC 9110 §10.2.4: product "/" version
export const RETRY_AFTER_SECONDS = 1 // what a 503 asks the client to wait before it tries again

// The methods RFC 9110 §9 defines. One of these without a doXXX is 405; any other method is 501.
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'])
const HANDLER_NAMES = new Map([...KNOWN_METHODS].map((method) => [method, `do${method}`]))

type MethodHandler = () => Promise<void> | void

export class BaseHTTPRequestHandler extends StreamRequestHandler {
  /** The request being answered, and its response: a new one per request (exchange.ts). */
  exchange = new Exchange()

  // The names the chapters gave the request's parts, read from the exchange.
  get requestLine(): string { return this.exchange.requestLine }
  get method(): string { return this.exchange.method }
  get path(): string { return this.exchange.target }
  get pathname(): string { return this.exchange.pathname }
  get query(): string { return this.exchange.query }
  get version(): string { return this.exchange.version }
  get headers(): RequestHeaders { return this.exchange.headers }
  get body(): Buffer { return this.exchange.body }
  get headOnly(): boolean { return this.exchange.headOnly }
  get keepAlive(): boolean { return this.exchange.keepAlive }
  get bytesSent(): number { return this.exchange.bytesSent }
  set bytesSent(bytes: number) { this.exchange.bytesSent = bytes }

  /** One request after another on the same connection, until one of them ends it. */
  override async handle(): Promise<void> {
    for (let first = true; ; first = false) {
      this.exchange = new Exchange() // nothing of the last request carries over
      try {
        if (!(await this.parseRequest(first))) return // closed before a request: nothing to answer
        const answering = this.dispatch() // a cached file is answered at once: no promise to await
        if (answering) await answering
      } catch (error) {
        if (error instanceof ReadTimeout && this.isIdle()) return // idle too long: nothing was asked, close without a word
        if (this.exchange.headersEnded) throw error // the head is written: a second status line would garble it; close
        const { status, message } = this.toHttpError(error)
        // After an error inside the request, we no longer know where the next one starts.
        if (!this.exchange.complete) this.exchange.keepAlive = false
        this.wbuf = [] // drop a half-written response
        this.writeError(status, message)
      }
      const flushing = this.flush() // a promise only when the client is slow to read
      if (flushing) await flushing
      this.logRequest()
      if (!this.keepAlive || this.request.destroyed) return
    }
  }

  /** At shutdown: a connection waiting for its next request is closed now. */
  override closeIfIdle(): void {
    if (this.isIdle()) this.request.destroy()
  }

  /**
   * Nothing more can come when the client has sent its FIN, or when its last request was read to
   * its end, asked to close (RFC 9112 §9.6: it MUST NOT send another), and nothing followed it.
   * This is nginx's lingering_close heuristic: after an error in the middle of a request, or with
   * bytes of a next request already here, the client may still be sending.
   */
  override mayStillSend(): boolean {
    if (this.request.readableEnded) return false
    return !(this.exchange.complete && !this.keepAlive && this.rfile.buffered === 0)
  }

  /** Between requests: no byte of the next one has come yet. */
  private isIdle(): boolean {
    return this.requestLine === '' && this.rfile.buffered === 0
  }

  /** Call the doXXX method for the request's method; a promise only if the method returns one. */
  dispatch(): Promise<void> | void {
    const handler = this.handlerFor(this.method)
    if (!handler && KNOWN_METHODS.has(this.method)) {
      throw new HttpError(405, `${this.method} is not allowed here`)
    }
    if (!handler) throw new HttpError(501, `the method ${JSON.stringify(this.method)} is not implemented here`)
    return handler.call(this)
  }

  /** One line in the common log format, if the server keeps an access log. */
  private logRequest(): void {
    if (!this.server.accessLog || !this.requestLine) return
    this.server.accessLog(formatAccessLog(this.clientAddress, new Date(), this.requestLine, this.exchange.status, this.bytesSent))
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
    const handler: unknown = Reflect.get(this, HANDLER_NAMES.get(method) ?? `do${method}`)
    return typeof handler === 'function' ? (handler as MethodHandler) : undefined
  }

  /**
   * Read the request line, the headers and the body. False if the connection ended before a
   * request began; a connection idle past its timeout ends in ReadTimeout (see handle()).
   */
  async parseRequest(first: boolean): Promise<boolean> {
    // Each step answers at once when its bytes are buffered, and only then awaits: this function
    // runs for every request, so it stays small (its locals live on the heap while it waits).
    if (this.rfile.buffered === 0 && !(await this.waitForRequest(first))) return false
    const next = this.readRequestLine(first)
    const line = typeof next === 'object' ? await next : next
    if (line === undefined) return false
    this.startRequest(line)
    const headers = this.parseHeaders()
    this.exchange.headers = headers instanceof RequestHeaders ? headers : await headers
    const length = this.checkHead()
    if (length > 0) await this.readBody(length)
    else if (length === CHUNKED) await this.readChunked()
    this.rfile.deadline = undefined
    this.exchange.complete = true
    return true
  }

  /**
   * The request line, at once if it is buffered. Undefined if the connection ended before a
   * request began.
   */
  private readRequestLine(first: boolean): string | undefined | Promise<string | undefined> {
    // From the first byte, the whole head must arrive within headersTimeoutMs (slowloris).
    this.rfile.deadline = Date.now() + this.server.limits.headersTimeoutMs
    const line = this.readHeadLine(this.server.limits.maxRequestLineBytes, 414, 'the request line')
    // RFC 9112 §2.2: ignore empty lines before the request line (some clients send a stray CRLF
    // after a body); after one, the connection is idle again, not in the middle of a request.
    if (typeof line === 'object') return line.then((rest) => (rest === '' ? this.waitForRequestLine(first, 1) : rest))
    return line === '' ? this.waitForRequestLine(first, 1) : line
  }

  private async waitForRequestLine(first: boolean, skippedBefore: number): Promise<string | undefined> {
    const limits = this.server.limits
    let line: string | undefined = ''
    for (let skipped = skippedBefore; line === '' && skipped <= MAX_LEADING_EMPTY_LINES; skipped++) {
      if (this.rfile.buffered === 0 && !(await this.waitForRequest(first))) return undefined
      this.rfile.deadline = Date.now() + limits.headersTimeoutMs
      line = await this.readHeadLine(limits.maxRequestLineBytes, 414, 'the request line')
    }
    return line === '' ? undefined : line
  }

  /** RFC 9112 §3: method, target and version from the request line. */
  private startRequest(line: string): void {
    const exchange = this.exchange
    exchange.requestLine = line
    const { method, target, version } = parseRequestLine(line)
    exchange.method = method
    exchange.target = target
    const { pathname, query } = splitTarget(target)
    exchange.pathname = pathname
    exchange.query = query
    exchange.version = version
    exchange.headOnly = method === 'HEAD' // from here on, even an error answer to HEAD has no body
    if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') throw new HttpError(505, `${version} is not supported; use HTTP/1.1`)
  }

  /** What the head says about the rest: Host, keep-alive, and how many body bytes follow. */
  private checkHead(): number {
    checkHost(this.headers, this.version)
    this.exchange.keepAlive = wantsKeepAlive(this.version, this.headers) && !this.server.isShutdown
    const length = bodyLength(this.headers, this.version)
    // Refuse before reading: a client that declares 1 GiB is answered at once, not after 1 GiB.
    const limit = length > 0 ? this.maxBodyBytes() : 0
    if (length > limit) throw new HttpError(413, `the body is ${length} bytes; the limit here is ${limit}`)
    return length
  }

  private async readBody(length: number): Promise<void> {
    await this.answerExpect()
    this.rfile.deadline = Date.now() + this.server.limits.requestTimeoutMs
    const body = await this.read(length)
    if (body.length < length) throw new HttpError(400, `the body ended after ${body.length} of ${length} bytes`)
    this.exchange.body = body
  }

  /** RFC 9112 §7.1: a chunked body, under the same limit and deadline as a Content-Length body. */
  private async readChunked(): Promise<void> {
    await this.answerExpect()
    const { requestTimeoutMs, maxHeaderBytes, maxHeaderFields } = this.server.limits
    this.rfile.deadline = Date.now() + requestTimeoutMs
    const body = await readChunkedBody(this.rfile, { maxBodyBytes: this.maxBodyBytes(), maxHeaderBytes, maxHeaderFields })
    recordDecodedLength(this.headers, body.length)
    this.exchange.body = body
  }

  /**
   * Wait, idle, for the first byte of a request; false if the connection ends first. Idle past
   * the timeout, ReadTimeout, which handle() turns into a quiet close: nothing was asked.
   */
  private waitForRequest(first: boolean): Promise<boolean> {
    const limits = this.server.limits
    this.rfile.deadline = Date.now() + (first ? limits.headersTimeoutMs : limits.keepAliveTimeoutMs)
    return this.rfile.waitForData()
  }

  /** RFC 9110 §10.1.1: a client that sent "Expect: 100-continue" waits for this before its body. */
  private async answerExpect(): Promise<void> {
    const expect = this.headers.get('expect')
    if (expect === undefined) return
    if (expect.toLowerCase() !== '100-continue') throw new HttpError(417, `the expectation ${JSON.stringify(expect)} is not supported`)
    if (this.version === 'HTTP/1.1') {
      super.write('HTTP/1.1 100 Continue\r\n\r\n')
      await this.flush()
    }
  }

  /** The largest body this request may have; a handler lowers it for paths that take less. */
  maxBodyBytes(): number {
    return this.server.limits.maxBodyBytes
  }

  /**
   * Header lines up to the empty line that ends the head. When they have all arrived (the usual
   * case) they are parsed at once, with no promise; otherwise the rest is awaited line by line.
   */
  parseHeaders(): RequestHeaders | Promise<RequestHeaders> {
    const headers = new RequestHeaders()
    for (let budget = this.server.limits.maxHeaderBytes; ; ) {
      const line = this.readHeadLine(budget, 431, 'the header block')
      if (typeof line !== 'string') return this.parseHeadersAsTheyCome(headers, budget, line)
      if (line === '') return headers
      budget -= this.addHeaderLine(headers, line)
    }
  }

  private async parseHeadersAsTheyCome(headers: RequestHeaders, budget: number, next: string | undefined | Promise<string | undefined>): Promise<RequestHeaders> {
    for (;;) {
      const line = typeof next === 'string' ? next : await next
      if (line === undefined) throw new HttpError(400, 'the connection ended inside the headers')
      if (line === '') return headers
      budget -= this.addHeaderLine(headers, line)
      next = this.readHeadLine(budget, 431, 'the header block')
    }
  }

  /** One "Name: value" line into the headers; the bytes it used of the head's budget. */
  private addHeaderLine(headers: RequestHeaders, line: string): number {
    const { maxHeaderFields } = this.server.limits
    if (headers.size === maxHeaderFields) throw new HttpError(431, `more than ${maxHeaderFields} header fields`)
    const [name, value] = parseHeaderLine(line)
    headers.add(name, value)
    return line.length + 2
  }

  /** One line of the head as text; undefined at the end of the stream. */
  private readHeadLine(limit: number, status: number, what: string): string | undefined | Promise<string | undefined> {
    // The usual case, a line already buffered, is answered at once: no promise per header line.
    let line: string | null
    try {
      line = this.rfile.takeLineText(Math.max(limit, 2))
    } catch (error) {
      throw tooLong(error, status, what)
    }
    return line !== null ? stripLineEnding(line) : this.waitForHeadLine(limit, status, what)
  }

  private async waitForHeadLine(limit: number, status: number, what: string): Promise<string | undefined> {
    let line: Buffer
    try {
      line = await this.readline(Math.max(limit, 2))
    } catch (error) {
      throw tooLong(error, status, what)
    }
    if (line.length === 0) return undefined
    if (line[line.length - 1] !== 0x0a) throw new HttpError(400, `the connection ended inside ${what}`)
    return stripLineEnding(line)
  }

  /** The status line, and the headers every response carries. */
  writeResponse(code: number, message = reasonFor(code)): void {
    this.exchange.status = code
    this.write(this.responseHead(code, message))
  }

  /** The status line and the headers every response carries, as writeResponse() writes them. */
  responseHead(code: number, message = reasonFor(code)): string {
    return `HTTP/1.1 ${code} ${message}\r\nServer: ${SERVER_NAME}\r\nDate: ${httpDateNow()}\r\n${this.connectionHeader()}`
  }

  /** RFC 9112 §9.6: say when we will close. HTTP/1.0 keeps a connection only when both say so. */
  connectionHeader(): string {
    if (!this.keepAlive) return 'Connection: close\r\n'
    return this.version === 'HTTP/1.0' ? 'Connection: keep-alive\r\n' : ''
  }

  /** A whole response prepared beforehand (a cached file's): it goes out as it is. */
  writePrepared(code: number, response: Buffer, bodyBytes: number): void {
    const exchange = this.exchange
    exchange.status = code
    super.write(response)
    exchange.headersEnded = true
    exchange.bytesSent += bodyBytes
  }

  writeHeader(name: string, value: string | number): void {
    this.write(`${name}: ${value}\r\n`)
  }

  endHeaders(): void {
    this.write('\r\n')
    this.exchange.headersEnded = true
  }

  /** After the headers of a HEAD response, nothing more goes out; a body's bytes are counted. */
  override write(data: string | Buffer): void {
    const exchange = this.exchange
    if (!exchange.headersEnded) return super.write(data)
    if (exchange.headOnly) return
    const bytes = this.encode(data)
    exchange.bytesSent += bytes.length
    super.write(bytes)
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

/** A head line over its limit is the client's error: 414 for the request line, 431 for the headers. */
function tooLong(error: unknown, status: number, what: string): unknown {
  return error instanceof LineTooLong ? new HttpError(status, `${what} is longer than ${error.limit} bytes`) : error
}
