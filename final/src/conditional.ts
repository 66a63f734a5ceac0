// Conditional GET (RFC 9110 §13): a client that has a copy sends its validators back, and if the
// file has not changed the answer is 304 Not Modified with no body.

import type { Stats } from 'node:fs'
import { formatHttpDate, parseHttpDate } from './http-date.ts'
import type { RequestHeaders } from './request-parser.ts'

export interface Validators {
  etag: string
  lastModified: string
}

/**
 * RFC 9110 §8.8.3: an ETag from the modification time and the size, as nginx makes it: cheap (no
 * need to read the file) and it changes whenever the file does, short of a same-size write in the
 * same millisecond. Strong, not W/: the same tag means the same bytes, so If-Range can use it.
 */
export function validatorsFor(info: Stats): Validators {
  return {
    etag: `"${Math.floor(info.mtimeMs).toString(16)}-${info.size.toString(16)}"`,
    lastModified: formatHttpDate(info.mtime),
  }
}

/** True when the client's copy is current: answer 304. */
export function isNotModified(headers: RequestHeaders, etag: string, modified: Date): boolean {
  const ifNoneMatch = headers.get('if-none-match')
  // RFC 9110 §13.1.2: If-None-Match decides when present: "*", or any tag of the list, compared
  // weakly (W/ ignored, §8.8.3.2).
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === '*') return true
    const ours = opaqueTag(etag)
    return entityTags(ifNoneMatch).some((tag) => opaqueTag(tag) === ours)
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
export function isRangeCurrent(ifRange: string, etag: string, modified: Date): boolean {
  const value = ifRange.trim()
  if (value.startsWith('"') || value.startsWith('W/')) return !value.startsWith('W/') && !etag.startsWith('W/') && value === etag
  return value === formatHttpDate(modified)
}

/** The entity tags of a list: `"a", W/"b"`. A tag may hold a comma, so split on the quotes. */
function entityTags(list: string): string[] {
  return list.match(/(W\/)?"[^"]*"/g) ?? []
}

function opaqueTag(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag
}
