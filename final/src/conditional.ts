// Conditional requests (RFC 9110 §13): a client that has a copy sends back the validators it got
// with it, and the server answers "not modified" instead of sending bytes the client already has.

import type { Stats } from 'node:fs'
import { formatHttpDate, parseHttpDate } from './http-date.ts'
import type { RequestHeaders } from './request-parser.ts'

export interface Validators {
  etag: string
  lastModified: string
}

/**
 * RFC 9110 §8.8.3: an ETag from the modification time and the size, as nginx makes it: no need to
 * read the file, and it changes whenever the file does (short of a same-size write within one
 * millisecond). Strong, not W/: the same tag means the same bytes, so If-Range can use it (§13.1.5).
 */
export function validatorsFor(info: Stats): Validators {
  return {
    etag: `"${Math.floor(info.mtimeMs).toString(16)}-${info.size.toString(16)}"`,
    lastModified: formatHttpDate(info.mtime),
  }
}

/** True when the client's copy is current: answer 304 (RFC 9110 §13.2.2, steps 3 and 4). */
export function isNotModified(headers: RequestHeaders, etag: string, modified: Date): boolean {
  const ifNoneMatch = headers.get('if-none-match')
  // RFC 9110 §13.1.2: If-None-Match decides when present: "*", or any tag of the list, compared
  // weakly (W/ ignored, §8.8.3.2).
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === '*') return true
    return entityTags(ifNoneMatch).some((tag) => opaqueTag(tag) === opaqueTag(etag))
  }
  // RFC 9110 §13.1.3: If-Modified-Since, to the second (HTTP dates have no milliseconds).
  const ifModifiedSince = headers.get('if-modified-since')
  const since = ifModifiedSince === undefined ? undefined : parseHttpDate(ifModifiedSince)
  return since !== undefined && Math.floor(modified.getTime() / 1000) <= Math.floor(since.getTime() / 1000)
}

/**
 * RFC 9110 §13.1.5: If-Range says "the range, if my copy is still this one; else the whole file".
 * An entity tag must match strongly (a weak one never does); a date must be the Last-Modified exactly.
 */
export function isRangeCurrent(ifRange: string, { etag, lastModified }: Validators): boolean {
  const value = ifRange.trim()
  if (value.startsWith('"') || value.startsWith('W/')) return !value.startsWith('W/') && !etag.startsWith('W/') && value === etag
  return value === lastModified
}

/** The entity tags of a list: `"a", W/"b"`. A tag may hold a comma, so split on the quotes. */
function entityTags(list: string): string[] {
  return list.match(/(W\/)?"[^"]*"/g) ?? []
}

function opaqueTag(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag
}
