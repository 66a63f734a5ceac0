// A chunked request body (RFC 9112 §7.1): the length of each piece goes in front of it, in hex,
// and a piece of length 0 ends the body. Then trailer fields, read and dropped, and an empty line.

import { HttpError } from './http-error.ts'
import { parseHeaderLine, type RequestHeaders } from './request-parser.ts'
import { LineTooLong, type SocketReader } from './socket-reader.ts'
import { MAX_CHUNK_LINE_BYTES, type ConnectionLimits } from './limits.ts'

const MAX_CHUNK_SIZE_DIGITS = 15 // as for Content-Length: more digits are refused before any arithmetic
type HeadLimits = Required<Pick<ConnectionLimits, 'maxHeaderBytes' | 'maxHeaderFields'>> // the trailers are held to the head's

// RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ), a name a token, a value
// a token or a quoted-string (RFC 9110 §5.6.2, §5.6.4). This server reads them only to skip them.
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+"
const QUOTED_STRING = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t \\x21-\\x7e\\x80-\\xff])*"'
const CHUNK_SIZE_LINE = new RegExp(`^([0-9A-Fa-f]+)(?:[ \\t]*;[ \\t]*${TOKEN}(?:[ \\t]*=[ \\t]*(?:${TOKEN}|${QUOTED_STRING}))?)*$`)

/**
 * The decoded body: 400 for a malformed chunk or a body cut short, 413 as soon as the sizes add
 * up past `limit` (before that chunk's data is read), 431 for a trailer section over the head's limits.
 */
export async function readChunkedBody(reader: SocketReader, limit: number, head: HeadLimits): Promise<Buffer> {
  const chunks: Buffer[] = []
  let length = 0
  for (;;) {
    const size = parseChunkSize(await readChunkLine(reader, MAX_CHUNK_LINE_BYTES, 'a chunk-size line', 400))
    if (size === 0) break // RFC 9112 §7.1: the last chunk
    if (length + size > limit) throw new HttpError(413, `the chunked body is more than ${limit} bytes, the limit here`)
    const data = await reader.read(size + 2) // the chunk's bytes and the CRLF after them
    if (data.length < size + 2) throw new HttpError(400, 'the connection ended inside a chunk')
    // RFC 9112 §7.1: chunk-data CRLF. Anything else after the data means its size was a lie.
    if (data[size] !== 0x0d || data[size + 1] !== 0x0a) throw new HttpError(400, `the ${size} bytes of a chunk are followed by ${JSON.stringify(data.toString('latin1', size))}, not CRLF (RFC 9112 §7.1)`)
    chunks.push(data.subarray(0, size))
    length += size
  }
  await skipTrailers(reader, head)
  return Buffer.concat(chunks)
}

/**
 * RFC 9112 §7.1.3: once decoded, the body is as if it had come with a Content-Length, and without
 * Transfer-Encoding: a handler that asks for the length (the login does) finds it.
 */
export function recordDecodedLength(headers: RequestHeaders, length: number): void {
  headers.replace('content-length', String(length))
  headers.replace('transfer-encoding', undefined)
}

/** RFC 9112 §7.1: chunk-size = 1*HEXDIG, then extensions, which are ignored. */
function parseChunkSize(line: string): number {
  const match = CHUNK_SIZE_LINE.exec(line)
  if (!match) throw new HttpError(400, `the chunk-size line ${JSON.stringify(line.slice(0, 80))} is not a hex size with optional ";name=value" extensions (RFC 9112 §7.1)`)
  const digits = match[1]!
  // RFC 9112 §7.1: a recipient MUST anticipate large sizes and prevent integer overflow.
  const size = digits.length > MAX_CHUNK_SIZE_DIGITS ? Infinity : Number.parseInt(digits, 16)
  if (!Number.isSafeInteger(size)) throw new HttpError(400, `the chunk size ${JSON.stringify(digits.slice(0, 40))} is too large to be a number of bytes (RFC 9112 §7.1)`)
  return size
}

/** RFC 9112 §7.1.2: trailer fields, checked and bounded like header fields, then forgotten. */
async function skipTrailers(reader: SocketReader, { maxHeaderBytes, maxHeaderFields }: HeadLimits): Promise<void> {
  let budget = maxHeaderBytes
  for (let count = 0; ; count++) {
    const line = await readChunkLine(reader, budget, 'the trailer section', 431)
    if (line === '') return
    if (count === maxHeaderFields) throw new HttpError(431, `more than ${maxHeaderFields} trailer fields`)
    try {
      parseHeaderLine(line)
    } catch (error) {
      throw error instanceof HttpError ? new HttpError(400, `in the trailer section: ${error.message}`) : error
    }
    budget -= line.length + 2
  }
}

/**
 * One line of the chunked framing, without its CRLF. Stricter than the head, where a bare LF may
 * end a line: if a proxy and this server disagree on where a line ends inside a body, they disagree
 * on where the body ends, and a second request hides in the first ("funky chunks" smuggling).
 */
async function readChunkLine(reader: SocketReader, limit: number, what: string, tooLongStatus: number): Promise<string> {
  let line: Buffer
  try {
    line = await reader.readLine(Math.max(limit, 2))
  } catch (error) {
    if (error instanceof LineTooLong) throw new HttpError(tooLongStatus, `${what} is longer than ${error.limit} bytes`)
    throw error
  }
  const text = line.toString('latin1')
  if (!text.endsWith('\n')) throw new HttpError(400, `the connection ended inside ${what} of the chunked body`)
  if (!text.endsWith('\r\n')) throw new HttpError(400, `${what} ends in a bare LF, not CRLF (RFC 9112 §7.1)`)
  if (text.slice(0, -2).includes('\r')) throw new HttpError(400, `a bare CR (\\r without \\n) in ${what} (RFC 9112 §7.1)`)
  return text.slice(0, -2)
}
