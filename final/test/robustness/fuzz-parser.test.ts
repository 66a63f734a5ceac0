// final/, robustness: property tests of the request parser, in-process (final/src/request-parser.ts).
// Whatever bytes arrive, each function returns a value that keeps its promise, or throws an
// HttpError with a 4xx or 5xx status that becomes the answer. Any other exception is a crash: it
// would reach the connection as a 500 or a reset, for a client's garbage.

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { otherServer } from '../../../scripts/kit/index.ts'
import { HttpError } from '../../src/http-error.ts'
import { CHUNKED, RequestHeaders, bodyLength, checkHost, parseHeaderLine, parseRequestLine, stripLineEnding, wantsKeepAlive } from '../../src/request-parser.ts'
import { FUZZ_RUNS, latin1Text, mutate, mutation, requestBytes, requestParts, serialize, token } from './fuzz-cases.ts'

const RUNS = FUZZ_RUNS ?? 1_000
const TIMEOUT_MS = Math.max(30_000, RUNS * 2) // a long run gets the time it needs

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** Run `fn`: its value, or the HttpError it threw. Anything else thrown fails the property. */
function outcome<T>(fn: () => T): T | HttpError {
  try {
    return fn()
  } catch (error) {
    if (!(error instanceof HttpError)) throw new Error(`not an HttpError: ${String(error)}`, { cause: error })
    if (error.status < 400 || error.status > 599) throw new Error(`an HttpError with status ${error.status}, not 4xx or 5xx`)
    return error
  }
}

/** The request head, parsed as the handler does: lines by "\n", leading empty lines skipped. */
function parseHead(bytes: Buffer): { method: string; target: string; version: string; headers: RequestHeaders; length: number; keepAlive: boolean } {
  const lines: Buffer[] = []
  for (let start = 0; start < bytes.length; ) {
    const end = bytes.indexOf(0x0a, start)
    if (end === -1) break
    lines.push(bytes.subarray(start, end + 1))
    start = end + 1
  }
  let i = 0
  let line = ''
  while (i < lines.length && (line = stripLineEnding(lines[i++]!)) === '');
  if (line === '') throw new HttpError(400, 'no request line')
  const { method, target, version } = parseRequestLine(line)
  const headers = new RequestHeaders()
  for (; i < lines.length; i++) {
    const field = stripLineEnding(lines[i]!)
    if (field === '') break
    headers.add(...parseHeaderLine(field))
  }
  checkHost(headers, version)
  return { method, target, version, headers, length: bodyLength(headers, version), keepAlive: wantsKeepAlive(version, headers) }
}

describe.skipIf(otherServer)('fuzz: the parser, in-process', () => {
  it(`stripLineEnding: any bytes → text without its line ending and with no CR in it, or 400 (${RUNS} runs)`, { timeout: TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(latin1Text(30), (text) => {
        const result = outcome(() => stripLineEnding(Buffer.from(text, 'latin1')))
        if (result instanceof HttpError) {
          expect(result.status).toBe(400)
          return
        }
        expect(result).not.toContain('\r')
        expect(text.startsWith(result), 'only the ending is removed').toBe(true)
      }),
      { numRuns: RUNS },
    )
  })

  it(`parseRequestLine: any line → three valid parts that rebuild the line, or 4xx/5xx (${RUNS} runs)`, { timeout: TIMEOUT_MS }, () => {
    const requestLine = requestParts.map((parts) => serialize(parts).split('\r\n')[0]!)
    const mutatedLine = fc.tuple(requestLine, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([text, edits]) => mutate(text, edits))
    const line = fc.oneof(latin1Text(40), requestLine, mutatedLine)
    fc.assert(
      fc.property(line, (text) => {
        const result = outcome(() => parseRequestLine(text))
        if (result instanceof HttpError) return
        expect(result.method).toMatch(TOKEN)
        expect(result.target).toMatch(/^[\x21-\x7e\x80-\xff]+$/)
        expect(result.version).toMatch(/^HTTP\/\d\.\d$/)
        expect(`${result.method} ${result.target} ${result.version}`).toBe(text)
      }),
      { numRuns: RUNS },
    )
  })

  it(`parseRequestLine: every well-formed line is accepted as it was sent (${RUNS} runs)`, { timeout: TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(requestParts, ({ method, target, version }) => {
        const result = outcome(() => parseRequestLine(`${method} ${target} ${version}`))
        if (result instanceof HttpError) {
          // RFC 9112 §3.2: a target form the method cannot use is the only thing refused here.
          expect(['*', 'localhost:443'].includes(target) || method === 'CONNECT', `${method} ${target} ${version} was refused: ${result.message}`).toBe(true)
          return
        }
        expect(result).toEqual({ method, target, version })
      }),
      { numRuns: RUNS },
    )
  })

  it(`parseHeaderLine: any line → a lower-case token and a value with no control or surrounding whitespace, or 400 (${RUNS} runs)`, { timeout: TIMEOUT_MS }, () => {
    const field = fc.tuple(token, fc.constantFrom(':', ': ', ' :', ':\t'), latin1Text(20)).map((parts) => parts.join(''))
    const line = fc.oneof(latin1Text(40), field)
    fc.assert(
      fc.property(line, (text) => {
        const result = outcome(() => parseHeaderLine(text))
        if (result instanceof HttpError) {
          expect(result.status).toBe(400)
          return
        }
        const [name, value] = result
        expect(name).toMatch(TOKEN)
        expect(name).toBe(name.toLowerCase())
        expect(value).toMatch(/^([\x21-\x7e\x80-\xff]([\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?$/)
      }),
      { numRuns: RUNS },
    )
  })

  it(`bodyLength: any Content-Length and Transfer-Encoding → a safe whole number that every value spells, CHUNKED for chunked alone, or 4xx/5xx (${RUNS} runs)`, { timeout: TIMEOUT_MS }, () => {
    const value = fc.oneof(latin1Text(12), fc.nat().map(String), fc.constantFrom('0', '5', '5, 5', '5,5', '05', '+5', '-1', '0x5', '1e3', ' 5', '99999999999999999999', 'chunked', 'gzip, chunked', 'Chunked'))
    const fields = fc.array(fc.tuple(fc.constantFrom('content-length', 'transfer-encoding', 'x-other'), value), { maxLength: 4 })
    fc.assert(
      fc.property(fields, fc.constantFrom('HTTP/1.1', 'HTTP/1.0'), (list, version) => {
        const headers = new RequestHeaders()
        for (const [name, field] of list) headers.add(name, field)
        const result = outcome(() => bodyLength(headers, version))
        if (result instanceof HttpError) return
        if (result === CHUNKED) {
          expect(version, 'RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 is faulty framing').toBe('HTTP/1.1')
          expect(headers.has('content-length'), 'RFC 9112 §6.1: never both').toBe(false)
          const codings = headers.all('transfer-encoding').flatMap((field) => field.split(',')).map((coding) => coding.trim().toLowerCase())
          expect(codings, 'chunked alone, once: any other coding is refused').toEqual(['chunked'])
          return
        }
        expect(Number.isSafeInteger(result) && result >= 0).toBe(true)
        expect(headers.has('transfer-encoding'), 'a length is never taken when Transfer-Encoding is present').toBe(false)
        for (const spelled of headers.all('content-length').flatMap((field) => field.split(','))) {
          expect(spelled.trim()).toMatch(/^\d+$/)
          expect(Number(spelled.trim())).toBe(result)
        }
      }),
      { numRuns: RUNS },
    )
  })

  it(`checkHost: any Host lines and version → accepted (one valid host, or none in HTTP/1.0), or 400 (${RUNS} runs)`, { timeout: TIMEOUT_MS }, () => {
    const hosts = fc.array(fc.oneof(latin1Text(16), fc.constantFrom('localhost', 'localhost:80', '[::1]:80', '', 'a b', 'u@h', 'h:1:2')), { maxLength: 3 })
    fc.assert(
      fc.property(hosts, fc.constantFrom('HTTP/1.1', 'HTTP/1.0'), (values, version) => {
        const headers = new RequestHeaders()
        for (const host of values) headers.add('host', host)
        const result = outcome(() => checkHost(headers, version))
        if (result instanceof HttpError) {
          expect(result.status).toBe(400)
          return
        }
        expect(values.length <= 1 && (values.length === 1 || version === 'HTTP/1.0'), 'RFC 9112 §3.2: one Host, or none in HTTP/1.0').toBe(true)
      }),
      { numRuns: RUNS },
    )
  })

  it(`a whole head, valid, pipelined or mutated (flipped, inserted, deleted, duplicated, truncated bytes): parsed, or 4xx/5xx, never a crash (${RUNS} runs)`, { timeout: TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(requestBytes, (text) => {
        const result = outcome(() => parseHead(Buffer.from(text, 'latin1')))
        if (result instanceof HttpError) return
        expect(Number.isSafeInteger(result.length)).toBe(true)
        expect(typeof result.keepAlive).toBe('boolean')
      }),
      { numRuns: RUNS },
    )
  })
})
