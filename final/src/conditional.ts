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
 * A weak ETag from size and modification time, as sirv and serve-static make it: cheap (no need
 * to read the file) and it changes whenever the file does, short of a same-size write in the
 * same millisecond.
 */
export function validatorsFor(info: Stats): Validators {
  return {
    etag: `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`,
    lastModified: formatHttpDate(info.mtime),
  }
}

/** True when the client's copy is current: answer 304. */
export function isNotModified(headers: RequestHeaders, etag: string, modified: Date): boolean {
  const ifNoneMatch = headers.get('if-none-match')
  // RFC 9110 §13.1.2: If-None-Match decides when present; it is compared weakly (W/ ignored).
  if (ifNoneMatch !== undefined) {
    const ours = opaqueTag(etag)
    return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaqueTag(tag.trim()) === ours)
  }
  // RFC 9110 §13.1.3: If-Modified-Since, to the second (HTTP dates have no milliseconds).
  const ifModifiedSince = headers.get('if-modified-since')
  const since = ifModifiedSince === undefined ? undefined : parseHttpDate(ifModifiedSince)
  return since !== undefined && Math.floor(modified.getTime() / 1000) <= Math.floor(since.getTime() / 1000)
}

function opaqueTag(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag
}
