// Who is logged in: a random session id, kept in memory here and in a cookie in the browser.
// The id is the only secret; the cookie carries nothing else.

import { randomBytes } from 'node:crypto'
import { MAX_SESSIONS, SESSION_TTL_MS } from './limits.ts'

export const SESSION_COOKIE = 'sid'
const SESSION_ID_BYTES = 32 // 256 random bits: guessing a live id is hopeless

export interface Session {
  id: string
  username: string
  /** Milliseconds since the epoch. */
  expiresAt: number
}

export interface SessionOptions {
  ttlMs?: number
  maxSessions?: number
  /** The clock, so a test can move time forward. */
  now?: () => number
}

export class SessionStore {
  // A Map keeps insertion order, and every session lives equally long: the first entries are
  // always the oldest, and the first to expire.
  private readonly sessions = new Map<string, Session>()
  private readonly ttlMs: number
  private readonly maxSessions: number
  private readonly now: () => number

  constructor(options: SessionOptions = {}) {
    this.ttlMs = options.ttlMs ?? SESSION_TTL_MS
    this.maxSessions = options.maxSessions ?? MAX_SESSIONS
    this.now = options.now ?? Date.now
  }

  /** A new session for a user who just proved who they are; its id goes into the cookie. */
  createSession(username: string): string {
    this.dropExpired()
    while (this.sessions.size >= this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!)
    const id = randomBytes(SESSION_ID_BYTES).toString('base64url') // cookie-safe: A-Z a-z 0-9 - _
    this.sessions.set(id, { id, username, expiresAt: this.now() + this.ttlMs })
    return id
  }

  /** The live session with this id, or undefined if there is none or it has expired. */
  lookupSession(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined
    const session = this.sessions.get(id)
    if (session && session.expiresAt <= this.now()) {
      this.sessions.delete(id)
      return undefined
    }
    return session
  }

  /** The session named by a request's Cookie header. */
  sessionFromCookies(cookieHeader: string | undefined): Session | undefined {
    return this.lookupSession(parseCookies(cookieHeader).get(SESSION_COOKIE))
  }

  /** Logging out ends the session on the server: a copied cookie stops working too. */
  endSession(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(id)
  }

  get size(): number {
    return this.sessions.size
  }

  private dropExpired(): void {
    const now = this.now()
    for (const [id, session] of this.sessions) {
      if (session.expiresAt > now) break
      this.sessions.delete(id)
    }
  }
}

/**
 * RFC 6265 §4.2.1: Cookie: name=value; name2=value2. Lenient about spaces and quotes, as browsers
 * are; a pair without "=" is skipped. When a name repeats, the first wins: browsers send the
 * cookie with the longest Path first (RFC 6265 §5.4).
 */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>()
  for (const pair of (header ?? '').split(';')) {
    const equals = pair.indexOf('=')
    if (equals === -1) continue
    const name = pair.slice(0, equals).trim()
    let value = pair.slice(equals + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    if (name !== '' && !cookies.has(name)) cookies.set(name, value)
  }
  return cookies
}

// HttpOnly: page scripts cannot read the id, so an injected script cannot steal it.
// SameSite=Strict: the browser leaves the cookie off requests that other sites start, so a form
// on another site cannot post as the user (cross-site request forgery).
// No Secure: this server speaks plain HTTP; behind HTTPS, add it so the id never travels in clear.
const COOKIE_ATTRIBUTES = 'HttpOnly; SameSite=Strict; Path=/'

/** The Set-Cookie value that starts a session. Max-Age is in seconds (RFC 6265 §5.2.2). */
export function sessionCookie(id: string, ttlMs = SESSION_TTL_MS): string {
  return `${SESSION_COOKIE}=${id}; ${COOKIE_ATTRIBUTES}; Max-Age=${Math.floor(ttlMs / 1000)}`
}

/** The Set-Cookie value that makes the browser forget the session: same name and Path, Max-Age=0. */
export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; ${COOKIE_ATTRIBUTES}; Max-Age=0`
}
