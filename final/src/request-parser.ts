// Pure functions that turn the lines of a request head into method, target, version and headers.
// They throw HttpError; the handler reads the lines and answers the error. The limits they are
// read under are in limits.ts.

import { HttpError } from './http-error.ts'

// RFC 9110 §5.6.2: token = 1*tchar
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// RFC 9110 §5.5: field-value is visible ASCII, obs-text, and space or tab between them
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/
// RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive
const HTTP_VERSION = /^HTTP\/\d\.\d$/
// A request-target: no spaces, no control characters (RFC 9112 §3.2)
const REQUEST_TARGET = /^[\x21-\x7e\x80-\xff]+$/
// RFC 9112 §3.2.1, §3.2.2: origin-form "/path?query", or absolute-form "http://host/path"
const ORIGIN_OR_ABSOLUTE_FORM = /^(\/|https?:\/\/)/i
// RFC 9112 §3.2.3: authority-form "host:port", for CONNECT only
const AUTHORITY_FORM = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+;=]+):\d+$/

export interface RequestLine {
  method: string
  target: string
  version: string
}

/** A line of the request head as text, without its ending (RFC 9112 §2.2: CRLF, or a bare LF). */
export function stripLineEnding(line: Buffer | string): string {
  let text = typeof line === 'string' ? line : line.toString('latin1')
  if (text.endsWith('\n')) text = text.slice(0, text.endsWith('\r\n') ? -2 : -1)
  // RFC 9112 §2.2: a bare CR (not followed by LF) is invalid.
  if (text.includes('\r')) throw new HttpError(400, 'a bare CR (\\r without \\n) in the request head')
  return text
}

/**
 * A request line starts with a method, a token (RFC 9110 §9.1); an empty line (CR, LF) may come
 * first. Any other control byte is no request: 400 at once, not after the deadline. 0x16 starts
 * a TLS handshake (RFC 8446 §5.1): a client that speaks https:// to this plain port.
 */
export function checkFirstByte(byte: number): void {
  if (byte === 0x16) throw new HttpError(400, 'this port speaks plain HTTP, and the client began a TLS handshake: use http://, not https://')
  if ((byte < 0x20 && byte !== 0x0d && byte !== 0x0a) || byte === 0x7f) {
    throw new HttpError(400, `a request starts with a method, not the control byte 0x${byte.toString(16).padStart(2, '0')}`)
  }
}

/** RFC 9112 §3: method SP request-target SP HTTP-version, exactly one space between. */
export function parseRequestLine(line: string): RequestLine {
  const first = line.indexOf(' ') // with indexOf, not split(' '): no array per request (step 4)
  const second = line.indexOf(' ', first + 1) // -1 when there is no first space either
  if (second === -1 || line.includes(' ', second + 1)) throw new HttpError(400, `the request line must be "METHOD target HTTP/1.1", got ${JSON.stringify(line)}`)
  const method = line.slice(0, first), target = line.slice(first + 1, second), version = line.slice(second + 1)
  // The common cases (GET, HTTP/1.1) cost a comparison before any regular expression (README "What made it fast", step 4).
  if (method !== 'GET' && !TOKEN.test(method)) throw new HttpError(400, `the method ${JSON.stringify(method)} is not a token`)
  if (!REQUEST_TARGET.test(target)) throw new HttpError(400, `the request target ${JSON.stringify(target)} is empty or holds control characters`)
  if (version !== 'HTTP/1.1' && !HTTP_VERSION.test(version)) throw new HttpError(400, `the version ${JSON.stringify(version)} is not "HTTP/x.y"`)
  if (!isTargetFormFor(method, target)) throw new HttpError(400, `${method} cannot take the request target ${JSON.stringify(target)} (RFC 9112 §3.2)`)
  return { method, target, version }
}

/** RFC 9112 §3.2: CONNECT takes "host:port", "*" goes only with OPTIONS, all else is a path or a URL. */
function isTargetFormFor(method: string, target: string): boolean {
  if (method === 'CONNECT') return AUTHORITY_FORM.test(target)
  if (target === '*') return method === 'OPTIONS'
  return target.startsWith('/') || ORIGIN_OR_ABSOLUTE_FORM.test(target)
}

/** RFC 9112 §5: field-name ":" OWS field-value OWS. */
export function parseHeaderLine(line: string): [name: string, value: string] {
  if (line.startsWith(' ') || line.startsWith('\t')) {
    throw new HttpError(400, 'a header line starts with whitespace (obsolete line folding is not accepted, RFC 9112 §5.2)')
  }
  const colon = line.indexOf(':')
  if (colon === -1) throw new HttpError(400, `the header line ${JSON.stringify(line)} has no colon`)
  const name = line.slice(0, colon)
  // RFC 9112 §5.1: no whitespace is allowed between the field name and the colon.
  if (!TOKEN.test(name)) throw new HttpError(400, `the header name ${JSON.stringify(name)} is not a token (no spaces before the colon)`)
  let start = colon + 1 // the value without the whitespace around it, by comparisons (step 4)
  while (line.charCodeAt(start) === 0x20 || line.charCodeAt(start) === 0x09) start++
  let end = line.length
  while (end > start && (line.charCodeAt(end - 1) === 0x20 || line.charCodeAt(end - 1) === 0x09)) end--
  const value = line.slice(start, end)
  if (!FIELD_VALUE.test(value)) throw new HttpError(400, `the ${name} header holds a control character`)
  return [name.toLowerCase(), value]
}

/** Header fields by lower-case name; a repeated field keeps each value. */
export class RequestHeaders {
  private readonly fields = new Map<string, string[]>()
  /** How many field lines were added. */
  size = 0

  add(name: string, value: string): void {
    this.size++
    const values = this.fields.get(name)
    if (values) values.push(value)
    else this.fields.set(name, [value])
  }

  /** The field's value; repeated fields joined with ", " as RFC 9110 §5.3 allows for lists. */
  get(name: Lowercase<string>): string | undefined {
    const values = this.fields.get(name) // no toLowerCase() per lookup: the type checks the name (README "What made it fast", step 4)
    return values === undefined || values.length === 1 ? values?.[0] : values.join(', ') // one value: no join, no new string
  }

  all(name: Lowercase<string>): string[] {
    return this.fields.get(name) ?? []
  }

  has(name: Lowercase<string>): boolean {
    return this.fields.has(name)
  }

  /** The field with this one value instead of those it had, or gone (undefined). */
  replace(name: string, value: string | undefined): void {
    if (value === undefined) this.fields.delete(name)
    else this.fields.set(name, [value])
  }
}

/** What bodyLength() answers for a chunked body: its length is known once it has been read. */
export const CHUNKED = -1

/**
 * How many body bytes follow the head (RFC 9112 §6), or CHUNKED. Framing errors are 400: a server that
 * guesses here can be made to read a second, smuggled request out of the body.
 */
export function bodyLength(headers: RequestHeaders, version: string): number {
  if (headers.has('transfer-encoding')) {
    if (headers.has('content-length')) throw new HttpError(400, 'both Transfer-Encoding and Content-Length: the body length is ambiguous (RFC 9112 §6.1)')
    if (version !== 'HTTP/1.1') throw new HttpError(400, `Transfer-Encoding in an ${version} request: its framing is faulty (RFC 9112 §6.1)`)
    const codings = headers.all('transfer-encoding').flatMap((value) => value.split(',')).map((coding) => coding.trim().toLowerCase())
    // RFC 9112 §6.3: unless chunked is the last coding, nobody can tell where the body ends.
    if (codings.at(-1) !== 'chunked') throw new HttpError(400, `Transfer-Encoding ${JSON.stringify(headers.get('transfer-encoding'))} does not end in chunked: the body length is unknown (RFC 9112 §6.3)`)
    if (codings.length === 1) return CHUNKED
    if (codings.slice(0, -1).includes('chunked')) throw new HttpError(400, 'chunked is applied more than once: the body length is ambiguous (RFC 9112 §6.1)')
    // RFC 9112 §6.1: a transfer coding the server does not understand is answered with 501.
    throw new HttpError(501, `Transfer-Encoding ${JSON.stringify(headers.get('transfer-encoding'))}: only chunked request bodies are decoded here`)
  }
  if (!headers.has('content-length')) return 0 // RFC 9112 §6.3: a request with neither has no body
  const values = headers.all('content-length').flatMap((value) => value.split(','))
  const lengths = new Set(values.map((value) => value.trim()))
  if (lengths.size > 1) throw new HttpError(400, `Content-Length has different values: ${[...lengths].join(', ')}`)
  const [length] = lengths as Set<string>
  // RFC 9110 §8.6: Content-Length = 1*DIGIT. No sign, no spaces, no hex; 15 digits are plenty.
  if (!/^\d{1,15}$/.test(length!)) throw new HttpError(400, `Content-Length ${JSON.stringify(length)} is not a number of bytes`)
  return Number(length)
}

/**
 * RFC 9112 §9.3: HTTP/1.1 keeps the connection open unless either side says "close";
 * HTTP/1.0 closes it unless the client asks for "keep-alive" (Appendix C.2.2).
 */
export function wantsKeepAlive(version: string, headers: RequestHeaders): boolean {
  const connection = headers.get('connection')
  if (connection === undefined) return version === 'HTTP/1.1' // the usual cases, without splitting a list
  if (connection === 'close') return false
  // RFC 9110 §7.6.1: Connection is a list of options, case-insensitive, maybe over several lines.
  const options = headers.all('connection').flatMap((value) => value.split(',')).map((option) => option.trim().toLowerCase())
  if (options.includes('close')) return false
  return version === 'HTTP/1.1' || options.includes('keep-alive')
}

/** RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host header with a valid host. */
export function checkHost(headers: RequestHeaders, version: string): void {
  const hosts = headers.all('host')
  if (hosts.length === 0 && version === 'HTTP/1.1') throw new HttpError(400, 'an HTTP/1.1 request must have a Host header')
  if (hosts.length > 1) throw new HttpError(400, 'more than one Host header')
  // RFC 3986 §3.2.2: an IP literal in brackets, or a reg-name; then an optional port.
  if (hosts.length === 1 && !/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+;=]*)(:\d*)?$/.test(hosts[0]!)) {
    throw new HttpError(400, `the Host header ${JSON.stringify(hosts[0])} is not a valid host`)
  }
}
