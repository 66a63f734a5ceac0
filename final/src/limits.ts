// Every limit of the server in one place: what it counts and in which unit, its default, the flag
// and environment variable that change it, and what a client that goes past it gets. Together they
// are the budget one client may spend of the server: bytes, fields, time, and a place to connect.

export const MAX_REQUEST_LINE_BYTES = 8 * 1024 // 8 KiB, as nginx's large_client_header_buffers
export const MAX_HEADER_BYTES = 16 * 1024 // 16 KiB for all header lines together, as Node's maxHeaderSize
export const MAX_HEADER_FIELDS = 100 // fields, as Apache's LimitRequestFields
export const MAX_BODY_BYTES = 1024 * 1024 // 1 MiB
export const HEADERS_TIMEOUT_MS = 10_000 // 10 s from a request's first byte to the end of its head
export const REQUEST_TIMEOUT_MS = 30_000 // 30 s for a body, and for a client that will not read our reply
export const KEEP_ALIVE_TIMEOUT_MS = 5_000 // 5 s idle between requests, and a kept-alive connection is closed
export const MAX_CONNECTIONS = 1_000 // connections handled at once; more are refused

// The limits that are not flags: each fixed here, with its unit.
export const MAX_LEADING_EMPTY_LINES = 4 // stray CRLFs skipped before a request line (RFC 9112 §2.2); past them, close
export const MAX_CHUNK_LINE_BYTES = 4 * 1024 // 4 KiB for a chunk-size line, its extensions included
export const MAX_LOGIN_BODY_BYTES = 8 * 1024 // 8 KiB: a login is a few dozen bytes
export const HIGH_WATER_BYTES = 64 * 1024 // 64 KiB unread on a connection: stop reading from its socket until it is read
export const MIN_COMPRESS_BYTES = 1024 // 1 KiB: below about a packet, compressing saves no round trip
export const BROTLI_QUALITY = 5 // of 11: 11 is for files compressed once ahead of time, far too slow per request
export const LINGER_MS = 2_000 // 2 s: how long a closing connection may go on sending, as nginx's lingering_timeout
export const SWEEP_INTERVAL_MS = 100 // how often the deadlines are checked: each is met at most 0.1 s late
export const SHUTDOWN_DEADLINE_MS = 10_000 // 10 s for the requests in flight to finish after Ctrl-C
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000 // 8 hours: a working day, then log in again
export const MAX_SESSIONS = 10_000 // sessions; past this the oldest goes, so logins cannot fill memory
export const DEFAULT_QUEUE_PER_WORKER = 64 // jobs waiting per worker thread before execute() refuses (503)

// The finished server's own: files kept in memory (file-cache.ts).
export const MAX_CACHED_FILE_BYTES = 1024 * 1024 // 1 MiB: larger files are streamed from disk
export const MAX_CACHE_BYTES = 64 * 1024 * 1024 // 64 MiB for all cached files together
// File times tick coarsely on some filesystems (2 s on FAT): two same-size writes within one tick
// leave the same stamp. A file changed this recently is served but not cached (git's "racy" rule).
export const RACY_WINDOW_MS = 1_000 // 1 s

export interface ConnectionLimits {
  maxRequestLineBytes?: number
  maxHeaderBytes?: number
  maxHeaderFields?: number
  maxBodyBytes?: number
  /** From a request's first byte to the end of its head, in milliseconds, however often bytes come. */
  headersTimeoutMs?: number
  /** From the start of a body to its end, in milliseconds; also how long a stalled reader is waited for. */
  requestTimeoutMs?: number
  /** Idle time allowed between two requests on one connection, in milliseconds. */
  keepAliveTimeoutMs?: number
  maxConnections?: number
}

export interface Limit {
  key: keyof ConnectionLimits
  /** What it counts, for --help. */
  what: string
  flag: string
  env: string
  unit: string
  default: number
  /** What a client that goes past the limit gets. */
  over: string
}

export const LIMITS: Limit[] = [
  { key: 'maxRequestLineBytes', what: 'the longest request line', flag: '--max-request-line', env: 'MAX_REQUEST_LINE_BYTES', unit: 'BYTES', default: MAX_REQUEST_LINE_BYTES, over: '414 URI Too Long' },
  { key: 'maxHeaderBytes', what: 'all header lines together', flag: '--max-header-size', env: 'MAX_HEADER_BYTES', unit: 'BYTES', default: MAX_HEADER_BYTES, over: '431 Request Header Fields Too Large' },
  { key: 'maxHeaderFields', what: 'header fields in one request', flag: '--max-header-fields', env: 'MAX_HEADER_FIELDS', unit: 'N', default: MAX_HEADER_FIELDS, over: '431 Request Header Fields Too Large' },
  { key: 'maxBodyBytes', what: 'the largest request body', flag: '--max-body', env: 'MAX_BODY_BYTES', unit: 'BYTES', default: MAX_BODY_BYTES, over: '413 Content Too Large, before the body is read' },
  { key: 'headersTimeoutMs', what: "a head's time, from its first byte", flag: '--headers-timeout', env: 'HEADERS_TIMEOUT_MS', unit: 'MS', default: HEADERS_TIMEOUT_MS, over: '408 Request Timeout, then the close' },
  { key: 'requestTimeoutMs', what: "a body's time, from its first byte", flag: '--request-timeout', env: 'REQUEST_TIMEOUT_MS', unit: 'MS', default: REQUEST_TIMEOUT_MS, over: '408 Request Timeout; a client that will not read our reply is cut off' },
  { key: 'keepAliveTimeoutMs', what: 'idle time between requests', flag: '--keep-alive-timeout', env: 'KEEP_ALIVE_TIMEOUT_MS', unit: 'MS', default: KEEP_ALIVE_TIMEOUT_MS, over: 'the close, without a word' },
  { key: 'maxConnections', what: 'connections at once', flag: '--max-connections', env: 'MAX_CONNECTIONS', unit: 'N', default: MAX_CONNECTIONS, over: '503 Service Unavailable with Retry-After' },
]
