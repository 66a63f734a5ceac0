// Every limit of the finished server in one place, named, with its unit and what exceeding it
// answers. Those of Limits are command-line flags (see cli.ts) and can be set small in tests; the
// constants below them are fixed.

export interface Limits {
  /** Bytes in the request line; longer is 414 URI Too Long. */
  maxRequestLineBytes: number
  /** Bytes in all header lines together; more is 431 Request Header Fields Too Large. */
  maxHeaderBytes: number
  /** Header fields in one request; more is 431. */
  maxHeaderFields: number
  /** Bytes in a request body, from Content-Length, checked before reading; more is 413. */
  maxBodyBytes: number
  /** Milliseconds from a request's first byte to the end of its head; slower is 408 (slowloris). */
  headersTimeoutMs: number
  /** Milliseconds without a byte while a body is read, or while the client will not read our reply. */
  requestTimeoutMs: number
  /** Milliseconds a kept-alive connection may sit idle between requests before we close it. */
  keepAliveTimeoutMs: number
  /** Connections handled at once; more get 503 Service Unavailable. */
  maxConnections: number
}

export const DEFAULT_LIMITS: Limits = {
  maxRequestLineBytes: 8 * 1024, // 8 KiB, as nginx's large_client_header_buffers
  maxHeaderBytes: 16 * 1024, // 16 KiB, as Node's http.maxHeaderSize
  maxHeaderFields: 100, // as Apache's LimitRequestFields
  maxBodyBytes: 1024 * 1024, // 1 MiB
  headersTimeoutMs: 10_000, // 10 s
  requestTimeoutMs: 30_000, // 30 s
  keepAliveTimeoutMs: 5_000, // 5 s, as Node's http.Server keepAliveTimeout
  maxConnections: 1_000, // connections
}

/**
 * The defaults with the given limits on top. The head is part of the request, so its deadline is
 * never later than the request's: headersTimeoutMs is clamped to requestTimeoutMs, as Node's
 * http.Server clamps headersTimeout to requestTimeout.
 */
export function resolveLimits(given: Partial<Limits>): Limits {
  const limits = { ...DEFAULT_LIMITS, ...given }
  limits.headersTimeoutMs = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs)
  return limits
}

// The limits that are not flags: each fixed here, with its unit, where it can be found and changed.

// Connections
export const LISTEN_BACKLOG = 511 // connections the kernel queues before we accept them, as Node's and nginx's default
export const LINGER_MS = 2_000 // 2 s: how long a closing connection may go on sending, as nginx's lingering_timeout
export const SHUTDOWN_DEADLINE_MS = 10_000 // 10 s for the requests in flight to finish after Ctrl-C
export const HIGH_WATER_BYTES = 64 * 1024 // 64 KiB unread on a connection: stop reading from its socket until it is read
export const SWEEPS_PER_TIMEOUT = 10 // the deadline sweep runs this often per shortest timeout: a deadline is met at most 10% late
export const MAX_SWEEP_INTERVAL_MS = 1_000 // 1 s between sweeps at most, however long the timeouts

// The head and the body
export const MAX_LEADING_EMPTY_LINES = 4 // stray CRLFs skipped before a request line (RFC 9112 §2.2); past them, close
export const MAX_LENGTH_DIGITS = 15 // digits in a Content-Length or a chunk size: refused by digits, before any arithmetic
export const MAX_CHUNK_LINE_BYTES = 4 * 1024 // 4 KiB for a chunk-size line, its extensions included
export const MAX_LOGIN_BODY_BYTES = 8 * 1024 // 8 KiB: a login is a few dozen bytes

// Files in memory
export const MAX_CACHED_FILE_BYTES = 1024 * 1024 // 1 MiB: larger files are streamed from disk
export const MAX_CACHE_BYTES = 64 * 1024 * 1024 // 64 MiB for all cached files together
// File times tick coarsely on some filesystems (2 s on FAT): two same-size writes within one tick
// leave the same stamp. A file changed this recently is served but not cached (git's "racy" rule).
export const RACY_WINDOW_MS = 1_000 // 1 s

// Compression (content-coding.ts)
export const MIN_COMPRESS_BYTES = 1024 // 1 KiB: below about a packet, compressing saves no round trip
export const BROTLI_QUALITY = 5 // of 11: 11 is for files compressed once ahead of time, far too slow per request

// Logins
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000 // 8 hours: a working day, then log in again
export const MAX_SESSIONS = 10_000 // sessions; past this the oldest goes, so logins cannot fill memory
export const DEFAULT_QUEUE_PER_WORKER = 64 // jobs waiting per worker thread before execute() refuses (503)
