// Reading a chunked request body (RFC 9112 §7.1): a hex size per chunk, that many bytes and a
// CRLF, until a chunk of size 0; then trailer fields, read and dropped, and an empty line. The
// bytes come through the same SocketReader as a Content-Length body, under the same limits.

import { HttpError } from './http-error.ts'
import { MAX_CHUNK_LINE_BYTES, MAX_LENGTH_DIGITS, type Limits } from './limits.ts'
import { parseHeaderLine, type RequestHeaders } from './request-parser.ts'
import { LineTooLong, type SocketReader } from './socket-reader.ts'

const EMPTY: Buffer = Buffer.alloc(0)

// RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ),
// a name is a token, a value a token or a quoted-string (RFC 9110 §5.6.2, §5.6.4). BWS nowhere else.
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+"
const QUOTED_STRING = '"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t \\x21-\\x7e\\x80-\\xff])*"'
const CHUNK_LINE = new RegExp(`^([0-9A-Fa-f]+)(?:[ \\t]*;[ \\t]*${TOKEN}(?:[ \\t]*=[ \\t]*(?:${TOKEN}|${QUOTED_STRING}))?)*$`)

/** The limits a chunked body is read under: the body's, and the head's for the trailer section. */
export type ChunkedLimits = Pick<Limits, 'maxBodyBytes' | 'maxHeaderBytes' | 'maxHeaderFields'>

/**
 * The decoded body. 400 for a malformed chunk or a body cut short, 413 as soon as the sizes add
 * up past maxBodyBytes (before that chunk is read), 431 for trailers over the head's limits.
 */
export async function readChunkedBody(reader: SocketReader, limits: ChunkedLimits): Promise<Buffer> {
  // Copied into one buffer that doubles as needed: a list of a million one-byte chunks would
  // hold a million Buffer objects, about a hundred times the body's size.
  let body = EMPTY
  let length = 0
  for (;;) {
    const size = parseChunkSize(await readLine(reader, MAX_CHUNK_LINE_BYTES, 'a chunk-size line', chunkLineTooLong))
    if (size === 0) break // RFC 9112 §7.1: the last chunk
    if (length + size > limits.maxBodyBytes) throw new HttpError(413, `the chunked body is more than ${limits.maxBodyBytes} bytes, the limit here`)
    const data = await reader.read(size + 2) // the chunk and its CRLF in one read
    if (data.length < size + 2) throw endedInside('a chunk')
    // RFC 9112 §7.1: chunk-data is followed by CRLF, exactly: anything else means the size lied.
    if (data[size] !== 0x0d || data[size + 1] !== 0x0a) {
      throw new HttpError(400, `the ${size} bytes of a chunk are followed by ${JSON.stringify(data.toString('latin1', size))}, not CRLF (RFC 9112 §7.1)`)
    }
    if (length + size > body.length) body = grow(body, length, Math.min(Math.max(2 * body.length, length + size), limits.maxBodyBytes))
    data.copy(body, length, 0, size)
    length += size
  }
  await skipTrailerSection(reader, limits)
  return body.subarray(0, length)
}

/** A larger buffer that starts with the first `length` bytes of `buffer`. */
function grow(buffer: Buffer, length: number, capacity: number): Buffer {
  const larger = Buffer.allocUnsafe(capacity) // every byte below `length` is written before it is read
  buffer.copy(larger, 0, 0, length)
  return larger
}

/**
 * RFC 9112 §7.1.3: once decoded, the message is framed as if it had come with a Content-Length of
 * its decoded length, without chunked and without Trailer. Handlers read it as any other body.
 */
export function recordDecodedLength(headers: RequestHeaders, length: number): void {
  headers.replace('content-length', String(length))
  headers.replace('transfer-encoding', undefined)
  headers.replace('trailer', undefined)
}

/** RFC 9112 §7.1: chunk-size = 1*HEXDIG, then the extensions, which this server ignores. */
function parseChunkSize(line: string): number {
  const match = CHUNK_LINE.exec(line)
  if (!match) throw new HttpError(400, `the chunk-size line ${JSON.stringify(line.slice(0, 80))} is not a hex size with optional ";name=value" extensions (RFC 9112 §7.1)`)
  const digits = match[1]!
  // RFC 9112 §7.1: a recipient MUST anticipate large sizes and prevent integer overflow.
  const size = digits.length > MAX_LENGTH_DIGITS ? Infinity : Number.parseInt(digits, 16)
  if (!Number.isSafeInteger(size)) throw new HttpError(400, `the chunk size ${JSON.stringify(digits.slice(0, 40))} is too large to be a number of bytes (RFC 9112 §7.1)`)
  return size
}

/** RFC 9112 §7.1.2: trailer fields, checked like header fields, bounded like them, never used. */
async function skipTrailerSection(reader: SocketReader, { maxHeaderBytes, maxHeaderFields }: ChunkedLimits): Promise<void> {
  for (let budget = maxHeaderBytes, fields = 0; ; fields++) {
    const line = await readLine(reader, budget, 'the trailer section', () => new HttpError(431, `the trailer section is longer than ${maxHeaderBytes} bytes`))
    if (line === '') return
    if (fields === maxHeaderFields) throw new HttpError(431, `more than ${maxHeaderFields} trailer fields`)
    try {
      parseHeaderLine(line)
    } catch (error) {
      throw error instanceof HttpError ? new HttpError(400, `in the trailer section: ${error.message}`) : error
    }
    budget -= line.length + 2
  }
}

/**
 * One line without its CRLF. Stricter than the head, which may end lines in a bare LF: inside a
 * chunked body a server and a proxy that disagree on where a line ends disagree on where the body
 * ends, which is how requests are smuggled ("funky chunks", 2025); so a bare LF or CR is 400. A
 * line over `limit` bytes is tooLong(), a stream that ends first is 400.
 */
async function readLine(reader: SocketReader, limit: number, what: string, tooLong: () => HttpError): Promise<string> {
  let text: string
  try {
    text = reader.takeLineText(Math.max(limit, 2)) ?? (await reader.readLine(Math.max(limit, 2))).toString('latin1')
  } catch (error) {
    throw error instanceof LineTooLong ? tooLong() : error
  }
  if (!text.endsWith('\n')) throw endedInside(what)
  if (!text.endsWith('\r\n')) throw new HttpError(400, `${what} ends in a bare LF, not CRLF (RFC 9112 §7.1)`)
  text = text.slice(0, -2)
  if (text.includes('\r')) throw new HttpError(400, `a bare CR (\\r without \\n) in ${what} (RFC 9112 §7.1)`)
  return text
}

function chunkLineTooLong(): HttpError {
  return new HttpError(400, `a chunk-size line is longer than ${MAX_CHUNK_LINE_BYTES} bytes, its extensions included`)
}

function endedInside(what: string): HttpError {
  return new HttpError(400, `the connection ended inside ${what} of the chunked body`)
}
