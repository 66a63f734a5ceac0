// The blog's BaseHTTPRequestHandler: read one request (line, headers, body), call the method's
// handler (GET -> doGET), write the response. Errors become a response in one place: handle().

import { HttpError } from './http-error.ts'
import {
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
} from './request-parser.ts'
import { LineTooLong } from './socket-reader.ts'
import { StreamRequestHandler } from './stream-handler.ts'

const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  413: 'Content Too Large',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
}

type MethodHandler = () => Promise<void> | void

export class BaseHTTPRequestHandler extends StreamRequestHandler {
  requestLine = ''
  method = ''
  path = ''
  version = ''
  headers = new RequestHeaders()
  body: Buffer = Buffer.alloc(0)

  override async handle(): Promise<void> {
    try {
      if (!(await this.parseRequest())) return // the client closed without sending a request
      const handler = this.handlerFor(this.method)
      if (!handler) throw new HttpError(501, `the method ${this.method} is not implemented here`)
      await handler.call(this)
    } catch (error) {
      if (!(error instanceof HttpError)) throw error
      this.writeError(error.status, error.message)
    }
    await this.flush()
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
    this.headers = await this.parseHeaders()
    checkHost(this.headers, this.version)
    const length = bodyLength(this.headers, this.version)
    if (length > MAX_BODY_BYTES) throw new HttpError(413, `the body is ${length} bytes; the limit is ${MAX_BODY_BYTES}`)
    this.body = await this.read(length)
    if (this.body.length < length) throw new HttpError(400, `the body ended after ${this.body.length} of ${length} bytes`)
    return true
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

  writeResponse(code: number, message = REASONS[code] ?? 'Unknown'): void {
    this.write(`HTTP/1.1 ${code} ${message}\r\n`)
  }

  writeHeader(name: string, value: string | number): void {
    this.write(`${name}: ${value}\r\n`)
  }

  endHeaders(): void {
    this.write('\r\n')
  }

  writeError(code: number, message: string): void {
    const body = `${code} ${REASONS[code] ?? 'Error'}: ${message}\n`
    this.writeResponse(code)
    this.writeHeader('Content-Length', Buffer.byteLength(body))
    this.endHeaders()
    this.write(body)
  }
}
