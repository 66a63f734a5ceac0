// Reading one request off the connection: the request line, the header lines, the body. Each
// function fills in the request's Exchange; BaseHTTPRequestHandler.parseRequest() calls them in order.

import { readChunkedBody, recordDecodedLength } from './chunked-body.ts'
import type { Exchange } from './exchange.ts'
import { HttpError } from './http-error.ts'
import {
  CHUNKED,
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
import { LineTooLong, type SocketReader } from './socket-reader.ts'
import { splitTarget } from './static-files.ts'

/** The request line; undefined if the connection ended before a request began. */
export async function readRequestLine(rfile: SocketReader): Promise<string | undefined> {
  let line = await readHeadLine(rfile, MAX_REQUEST_LINE_BYTES, 414, 'the request line')
  // RFC 9112 §2.2: ignore empty lines before the request line (some clients send a stray CRLF).
  for (let skipped = 0; line === '' && skipped < 4; skipped++) line = await readHeadLine(rfile, MAX_REQUEST_LINE_BYTES, 414, 'the request line')
  return line === '' ? undefined : line
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

/** Header lines up to the empty line that ends the head. */
export async function parseHeaders(rfile: SocketReader): Promise<RequestHeaders> {
  const headers = new RequestHeaders()
  for (let budget = MAX_HEADER_BYTES; ; ) {
    const line = await readHeadLine(rfile, budget, 431, 'the header block')
    if (line === undefined) throw new HttpError(400, 'the connection ended inside the headers')
    if (line === '') return headers
    budget -= addHeaderLine(headers, line)
  }
}

/** One "Name: value" line into the headers; the bytes it used of the head's budget. */
function addHeaderLine(headers: RequestHeaders, line: string): number {
  if (headers.size === MAX_HEADER_FIELDS) throw new HttpError(431, `more than ${MAX_HEADER_FIELDS} header fields`)
  headers.add(...parseHeaderLine(line))
  return line.length + 2
}

/** One line of the head as text; undefined at the end of the stream. */
async function readHeadLine(rfile: SocketReader, limit: number, status: number, what: string): Promise<string | undefined> {
  try {
    const line = await rfile.readLine(Math.max(limit, 2))
    if (line.length === 0) return undefined
    if (line[line.length - 1] !== 0x0a) throw new HttpError(400, `the connection ended inside ${what}`)
    return stripLineEnding(line)
  } catch (error) {
    if (error instanceof LineTooLong) throw new HttpError(status, `${what} is longer than ${error.limit} bytes`)
    throw error
  }
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
 * The body that follows the head: `length` bytes, or a chunked body (RFC 9112 §7.1) whose length
 * is known only at its last chunk, so the limit is checked chunk by chunk; it is then recorded as
 * if it had come with its Content-Length (§7.1.3).
 */
export async function readBody(rfile: SocketReader, headers: RequestHeaders, length: number, maxBodyBytes: number): Promise<Buffer> {
  if (length === CHUNKED) {
    const body = await readChunkedBody(rfile, maxBodyBytes)
    recordDecodedLength(headers, body.length)
    return body
  }
  const body = await rfile.read(length)
  if (body.length < length) throw new HttpError(400, `the body ended after ${body.length} of ${length} bytes`)
  return body
}
