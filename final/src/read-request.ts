// Reading one request off the connection under its limits and deadlines: the wait for its first
// byte, the request line, the header lines, the body. Each function fills in the request's
// Exchange; BaseHTTPRequestHandler.parseRequest() calls them in order. The head must arrive within
// headersTimeoutMs of its first byte (slowloris), a body within requestTimeoutMs. One head ends all
// its lines the same way, CRLF or bare LF (headText).

import { readChunkedBody, recordDecodedLength } from './chunked-body.ts'
import type { Exchange } from './exchange.ts'
import { HttpError } from './http-error.ts'
import { MAX_LEADING_EMPTY_LINES, type ConnectionLimits } from './limits.ts'
import { CHUNKED, RequestHeaders, bodyLength, checkFirstByte, checkHost, parseHeaderLine, parseRequestLine, stripLineEnding, wantsKeepAlive } from './request-parser.ts'
import { LineTooLong, type SocketReader } from './socket-reader.ts'
import { splitTarget } from './static-files.ts'

/** The limits a request is read under: the server's, every one set (limits.ts). */
export type Limits = Required<ConnectionLimits>

/** A value now, or a promise of it when the bytes are not all here yet: a head that arrived whole is read without one (step 3). */
export type MaybePromise<T> = T | Promise<T>

/**
 * Wait, idle, for the first byte of a request; false if the connection ends first. Idle past the
 * timeout (headersTimeoutMs for a new connection, keepAliveTimeoutMs between requests), ReadTimeout.
 */
export function waitForRequest(rfile: SocketReader, limits: Limits, first: boolean): Promise<boolean> {
  rfile.deadline = Date.now() + (first ? limits.headersTimeoutMs : limits.keepAliveTimeoutMs)
  return rfile.waitForData()
}

/** The request line; undefined if the connection ended before a request began. At once if it is here. */
export function readRequestLine(rfile: SocketReader, exchange: Exchange, limits: Limits, first: boolean): MaybePromise<string | undefined> {
  if (rfile.buffered > 0) {
    checkFirstByte(rfile.peek()!)
    const line = takeHeadLine(rfile, exchange, limits.maxRequestLineBytes)
    rfile.deadline = Date.now() + limits.headersTimeoutMs // for the rest of the head
    if (line) return line
  }
  return waitForRequestLine(rfile, exchange, limits, first)
}

async function waitForRequestLine(rfile: SocketReader, exchange: Exchange, limits: Limits, first: boolean): Promise<string | undefined> {
  // RFC 9112 §2.2: ignore empty lines before the request line (some clients send a stray CRLF
  // after a body); after one, the connection is idle again, not in the middle of a request.
  for (let skipped = 0; skipped <= MAX_LEADING_EMPTY_LINES; skipped++) {
    if (!(await waitForRequest(rfile, limits, first))) return undefined
    checkFirstByte(rfile.peek()!) // a TLS hello or a control byte: 400 now, not at the deadline
    // From its first byte, the whole head has one deadline, however often bytes come (slowloris).
    rfile.deadline = Date.now() + limits.headersTimeoutMs
    const line = takeHeadLine(rfile, exchange, limits.maxRequestLineBytes) ?? (await readHeadLine(rfile, exchange, limits.maxRequestLineBytes, 414, 'the request line'))
    if (line !== '') return line
  }
  return undefined
}

/** RFC 9112 §3: method, target and version from the request line, into the exchange. */
export function startRequest(exchange: Exchange, line: string): void {
  exchange.requestLine = line
  const { method, target, version } = parseRequestLine(line)
  exchange.method = method
  exchange.target = target
  const { pathname, query } = splitTarget(target) // once per request: every handler uses the parts
  exchange.pathname = pathname
  exchange.query = query
  exchange.version = version
  exchange.headOnly = method === 'HEAD' // from here on, even an error answer to HEAD has no body
  if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') throw new HttpError(505, `${version} is not supported; use HTTP/1.1`)
}

/** Header lines up to the empty line that ends the head: at once if they are all here. */
export function parseHeaders(rfile: SocketReader, exchange: Exchange, limits: Limits): MaybePromise<RequestHeaders> {
  const headers = new RequestHeaders()
  for (let budget = limits.maxHeaderBytes; ; ) {
    const line = takeHeadLine(rfile, exchange, budget)
    if (line === null) return parseHeadersAsTheyCome(rfile, exchange, limits, headers, budget)
    if (line === '') return headers
    budget -= addHeaderLine(headers, line, limits.maxHeaderFields)
  }
}

async function parseHeadersAsTheyCome(rfile: SocketReader, exchange: Exchange, limits: Limits, headers: RequestHeaders, budget: number): Promise<RequestHeaders> {
  for (;;) {
    const line = await readHeadLine(rfile, exchange, budget, 431, 'the header block')
    if (line === undefined) throw new HttpError(400, 'the connection ended inside the headers')
    if (line === '') return headers
    budget -= addHeaderLine(headers, line, limits.maxHeaderFields)
  }
}

/** One "Name: value" line into the headers; the bytes it used of the head's budget. */
function addHeaderLine(headers: RequestHeaders, line: string, maxHeaderFields: number): number {
  if (headers.size === maxHeaderFields) throw new HttpError(431, `more than ${maxHeaderFields} header fields`)
  headers.add(...parseHeaderLine(line))
  return line.length + 2
}

/** A head line that is all buffered, as text, at once; null if it is not (readHeadLine() then waits for it). */
function takeHeadLine(rfile: SocketReader, exchange: Exchange, limit: number): string | null {
  const line = rfile.takeLineText(Math.max(limit, 2))
  return line === null ? null : headText(exchange, line)
}

/** One line of the head as text; undefined at the end of the stream. */
async function readHeadLine(rfile: SocketReader, exchange: Exchange, limit: number, status: number, what: string): Promise<string | undefined> {
  try {
    const line = await rfile.readLine(Math.max(limit, 2))
    if (line.length === 0) return undefined
    if (line[line.length - 1] !== 0x0a) throw new HttpError(400, `the connection ended inside ${what}`)
    return headText(exchange, line)
  } catch (error) {
    if (error instanceof LineTooLong) throw new HttpError(status, `${what} is longer than ${error.limit} bytes`)
    throw error
  }
}

/**
 * A head line without its ending. RFC 9112 §2.2 lets a bare LF stand for CRLF, but one head with
 * both is read one way here and another way by a proxy in front (request smuggling): 400. Empty
 * lines before the request line set no rule.
 */
function headText(exchange: Exchange, line: Buffer | string): string {
  const text = stripLineEnding(line)
  if (text === '' && exchange.lineEnding === undefined) return text
  const ending = (typeof line === 'string' ? line.charCodeAt(line.length - 2) : line[line.length - 2]) === 0x0d ? 'CRLF' : 'LF'
  exchange.lineEnding ??= ending
  if (ending !== exchange.lineEnding) throw new HttpError(400, `the head mixes ${exchange.lineEnding} and ${ending} line endings; end every line with CRLF`)
  return text
}

/**
 * What the head says about the rest: a valid Host, whether to keep the connection (decided before
 * the response starts, since the response must say it), and how many body bytes follow, or CHUNKED.
 */
export function checkHead(exchange: Exchange): number {
  const { headers, version } = exchange
  checkHost(headers, version)
  exchange.keepAlive = wantsKeepAlive(version, headers)
  return bodyLength(headers, version)
}

/**
 * RFC 9110 §10.1.1: true when the client waits for "100 Continue" before it sends its body (an
 * HTTP/1.1 client that sent "Expect: 100-continue"); any other expectation is 417.
 */
export function expectsContinue(headers: RequestHeaders, version: string): boolean {
  const expect = headers.get('expect')
  if (expect === undefined) return false
  if (expect.toLowerCase() !== '100-continue') throw new HttpError(417, `the expectation ${JSON.stringify(expect)} is not supported`)
  return version === 'HTTP/1.1' // an HTTP/1.0 client knows no 1xx (RFC 9110 §15.2)
}

/**
 * The body that follows the head, with a deadline of its own from its first byte to its last:
 * `length` bytes, or a chunked body (RFC 9112 §7.1) whose length is known only at its last chunk,
 * so the limit is checked chunk by chunk; it is then recorded as if it had come with its
 * Content-Length (§7.1.3).
 */
export async function readBody(rfile: SocketReader, headers: RequestHeaders, length: number, maxBodyBytes: number, limits: Limits): Promise<Buffer> {
  rfile.deadline = Date.now() + limits.requestTimeoutMs
  if (length === CHUNKED) {
    const body = await readChunkedBody(rfile, maxBodyBytes, limits)
    recordDecodedLength(headers, body.length)
    return body
  }
  const body = await rfile.read(length)
  if (body.length < length) throw new HttpError(400, `the body ended after ${body.length} of ${length} bytes`)
  return body
}
