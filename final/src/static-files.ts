// From a request target to a file inside the document root, and never outside it.

import { realpath } from 'node:fs/promises'
import path from 'node:path'
import { HttpError } from './http-error.ts'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** The path and the query of a request target, in origin form or absolute form. */
export function splitTarget(target: string): { pathname: string; query: string } {
  if (target.startsWith('/') && !target.includes('?') && !target.includes('#')) return { pathname: target, query: '' } // a path alone: no regular expression (README "What made it fast", step 4)
  let rest = target
  // RFC 9112 §3.2.2: a server MUST accept the absolute form; only its path matters here, and an
  // empty path, as in "http://host?q", is "/" (RFC 9110 §4.2.3).
  const absolute = /^https?:\/\/[^/?#]*/i.exec(target)
  if (absolute) rest = `/${target.slice(absolute[0].length).replace(/^\//, '')}`
  // RFC 9112 §3.2.3, §3.2.4: "host:port" (CONNECT) and "*" (OPTIONS) name no file; the parser allows nothing else.
  if (!rest.startsWith('/')) return { pathname: rest, query: '' }
  const [pathname, query = ''] = rest.split('#', 1)[0]!.split(/\?(.*)/s, 2)
  return { pathname: pathname!, query }
}

/**
 * The decoded path segments of a request path, dot segments resolved. Throws 400 for anything
 * that is not a clean path: a bad escape, invalid UTF-8, a NUL, a slash or backslash hidden in a
 * segment, or ".." that would climb above the root.
 */
export function pathToSegments(pathname: string): string[] {
  const segments: string[] = []
  // Split before decoding: "%2f" is a character inside a name, never a separator.
  for (const raw of pathname.split('/')) {
    const segment = decodeSegment(raw)
    if (segment === '' || segment === '.') continue
    if (segment === '..') {
      if (segments.length === 0) throw new HttpError(400, 'the path climbs above the document root')
      segments.pop()
      continue
    }
    if (/[/\\\0]/.test(segment)) throw new HttpError(400, `a path segment holds a slash, backslash or NUL: ${JSON.stringify(raw)}`)
    segments.push(segment)
  }
  return segments
}

/** Percent-decoding, once, strictly (RFC 3986 §2.1): "%zz" and overlong UTF-8 are errors. */
function decodeSegment(raw: string): string {
  // Raw bytes past ASCII (curl sends a UTF-8 name unescaped) are decoded as escaped ones are.
  if (!/[%\x80-\xff]/.test(raw)) return raw
  const bytes: number[] = []
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== '%') {
      bytes.push(...Buffer.from(raw[i]!, 'latin1'))
      continue
    }
    const hex = raw.slice(i + 1, i + 3)
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new HttpError(400, `a malformed percent escape in ${JSON.stringify(raw)}`)
    bytes.push(parseInt(hex, 16))
    i += 2
  }
  try {
    return utf8.decode(new Uint8Array(bytes))
  } catch (error) {
    throw new HttpError(400, `the path is not valid UTF-8 once decoded: ${JSON.stringify(raw)}`, { cause: error })
  }
}

/** True when `candidate` is `root` or inside it. Not startsWith: "/srv/site-secret" starts with "/srv/site". */
export function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate)
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
}

/**
 * The real path of the file the segments name, or undefined when it does not exist, is hidden
 * (a dot file) or leads outside the root through a symbolic link.
 */
export async function resolveInRoot(root: string, segments: string[]): Promise<string | undefined> {
  if (segments.some((segment) => segment.startsWith('.'))) return undefined
  const joined = path.join(root, ...segments)
  if (!isInside(root, joined)) return undefined
  try {
    const real = await realpath(joined)
    return isInside(root, real) ? real : undefined
  } catch {
    return undefined
  }
}
