// Generators for the property tests: valid requests built from their parts, the same requests
// mutated byte by byte, and raw lines from an alphabet weighted towards the bytes that matter.

import fc from 'fast-check'

/** Runs per property: a few thousand cases in all per `npm test`; FUZZ_RUNS=200000 for a long run. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 0) || undefined

// The bytes parsers trip on, often; then any byte at all.
const SPECIAL = ['\r', '\n', '\r\n', '\0', ' ', '\t', ':', ',', ';', '/', '\\', '.', '..', '%', '%00', '%2e', '%2f', '"', '(', '@', '?', '#', '*', '+', '-', '0', '9', '\x7f', '\x80', '\xff', '\x0b', '\x1b']
const byteChar = fc.integer({ min: 0, max: 255 }).map((code) => String.fromCharCode(code))
const tchar = fc.constantFrom(...'!#$%&\'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')

/** A latin1 string (one char per byte), weighted towards delimiters and control bytes. */
export const latin1Text = (maxLength = 40) =>
  fc.array(fc.oneof({ arbitrary: fc.constantFrom(...SPECIAL), weight: 3 }, { arbitrary: tchar, weight: 4 }, { arbitrary: byteChar, weight: 2 }), { maxLength }).map((parts) => parts.join(''))

export const token = fc.array(tchar, { minLength: 1, maxLength: 12 }).map((chars) => chars.join(''))
const fieldValue = fc.array(fc.oneof(tchar, fc.constantFrom(' ', '\t', '"', ',', ';', '=', '/', '\x80', '\xe9')), { maxLength: 20 }).map((chars) => chars.join('').trim())

const METHODS = ['GET', 'GET', 'GET', 'HEAD', 'POST', 'POST', 'OPTIONS', 'PUT', 'DELETE', 'TRACE', 'CONNECT', 'BREW', 'get']
const TARGETS = [
  '/', '/notes.txt', '/a..b.txt', '/sub/', '/sub', '/index.html', '/missing', '/%e4%bd%a0%e5%a5%bd.txt', '/notes.txt?x=1',
  '/api/login', '/api/logout', '/api/me', '*', 'localhost:443', 'http://localhost/notes.txt', 'http://localhost?x',
  '/../outside.txt', '/%2e%2e/outside.txt', '/..%2foutside.txt', '/link-out', '/.env', '/%zz', '/%c0%ae%c0%ae/outside.txt',
]

// Paths built from pieces that path handling trips on: escapes, dots, separators, odd bytes.
const PATH_PIECES = ['notes.txt', 'sub', 'a..b.txt', 'index.html', 'link-out', 'dir-out', '.env', '..', '.', '', '%2e', '%2e%2e', '%2f', '%5c', '%00', '%zz', '%', '%c0%ae', '%e4%bd%a0', '\\', ';', '@', ':', '=', '~', '(', '[', ']', '"', '\x80', '\xff']
const pathTarget = fc
  .tuple(fc.array(fc.array(fc.oneof(fc.constantFrom(...PATH_PIECES), tchar), { minLength: 1, maxLength: 3 }), { maxLength: 4 }), fc.option(token, { nil: undefined }))
  .map(([segments, query]) => `/${segments.map((pieces) => pieces.join('')).join('/')}${query === undefined ? '' : `?${query}`}`)

export interface RequestParts {
  method: string
  target: string
  version: string
  headers: [string, string][]
  body: string
}

/** A well-formed request, as its parts. */
export const requestParts: fc.Arbitrary<RequestParts> = fc
  .record({
    method: fc.constantFrom(...METHODS),
    target: fc.oneof(fc.constantFrom(...TARGETS), pathTarget),
    version: fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0'),
    host: fc.constantFrom('localhost', 'localhost:8888', '[::1]', '', 'example.com'),
    extra: fc.array(fc.tuple(token, fieldValue), { maxLength: 4 }),
    framing: fc.constantFrom('none', 'none', 'length', 'length', 'chunked', 'both'),
    body: fc.constantFrom('', '{}', '{"username":"x"}', 'hello world', 'GET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n', '0\r\n\r\n'),
    connection: fc.constantFrom(undefined, 'close', 'keep-alive', 'Keep-Alive, Close', 'upgrade'),
    expect: fc.constantFrom(undefined, undefined, undefined, '100-continue', 'teapot'),
  })
  .map(({ method, target, version, host, extra, framing, body, connection, expect }) => {
    const headers: [string, string][] = [['Host', host], ...extra]
    if (connection) headers.push(['Connection', connection])
    if (expect) headers.push(['Expect', expect])
    if (framing === 'length' || framing === 'both') headers.push(['Content-Length', String(Buffer.byteLength(body, 'latin1'))])
    if (framing === 'chunked' || framing === 'both') headers.push(['Transfer-Encoding', 'chunked'])
    return { method, target, version, headers, body: framing === 'none' ? '' : body }
  })

export function serialize({ method, target, version, headers, body }: RequestParts): string {
  return `${method} ${target} ${version}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${body}`
}

type Mutation = { kind: 'flip' | 'insert' | 'delete' | 'duplicate' | 'bareLf' | 'truncate'; at: number; length: number; text: string }

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('flip', 'insert', 'insert', 'delete', 'duplicate', 'bareLf', 'truncate'),
  at: fc.nat(),
  length: fc.integer({ min: 1, max: 8 }),
  text: latin1Text(4),
})

/** Apply mutations to a request's bytes (as latin1 text); positions wrap around its length. */
export function mutate(text: string, mutations: Mutation[]): string {
  let out = text
  for (const { kind, at, length, text: inserted } of mutations) {
    if (out.length === 0) return inserted
    const i = at % out.length
    if (kind === 'flip') out = out.slice(0, i) + (inserted[0] ?? '\0') + out.slice(i + 1)
    else if (kind === 'insert') out = out.slice(0, i) + inserted + out.slice(i)
    else if (kind === 'delete') out = out.slice(0, i) + out.slice(i + length)
    else if (kind === 'duplicate') out = out.slice(0, i + length) + out.slice(i, i + length) + out.slice(i + length)
    else if (kind === 'bareLf') out = out.replace('\r\n', '\n')
    else out = out.slice(0, i)
  }
  return out
}

/** One to three requests, pipelined, then mutated (or not, a fifth of the time: `intact`). */
export const pipeline: fc.Arbitrary<{ text: string; intact: boolean }> = fc
  .tuple(fc.array(requestParts, { minLength: 1, maxLength: 3 }), fc.oneof({ arbitrary: fc.constant([] as Mutation[]), weight: 1 }, { arbitrary: fc.array(mutation, { minLength: 1, maxLength: 4 }), weight: 4 }))
  .map(([requests, mutations]) => ({ text: mutate(requests.map(serialize).join(''), mutations), intact: mutations.length === 0 }))

export const requestBytes: fc.Arbitrary<string> = pipeline.map(({ text }) => text)
