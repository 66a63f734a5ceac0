// Every limit of the finished server in one place, named, with its unit and what exceeding it
// answers. Each is a command-line flag (see cli.ts) and can be set small in tests.

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
  maxConnections: 1_000,
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
