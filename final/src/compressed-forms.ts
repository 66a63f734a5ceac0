// The compressed forms of a file held in memory (RFC 9110 §8.4): made once per coding, from a
// precompressed sibling on disk or by compressing the body, and kept with the cached file, so a
// browser's every request for login.js costs no compression after the first.

import { statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { validatorsFor } from './conditional.ts'
import { codedEtag, compressBody, findPrecompressed } from './content-coding.ts'
import type { CachedFile } from './file-cache.ts'
import { MAX_CACHED_FILE_BYTES } from './limits.ts'

export interface CodedForm {
  body: Buffer
  /** RFC 9110 §8.8.3: the coded bytes are another representation, with a tag of their own. */
  etag: string
  /** The header lines after the status line and Date, for a 200. */
  headers: string
  /** The header lines of a 304. */
  notModifiedHeaders: string
  /** The precompressed file it was read from, to see whether it changed since. */
  sibling?: { path: string; mtimeMs: number; size: number }
}

/**
 * The file compressed with `coding`, from memory when it was made before. A form read from a
 * sibling is checked against it (one stat); a form made by compressing is as current as the
 * cached file it hangs on, which the cache checks itself. A sibling that appears after the form
 * was made is used once the file changes.
 */
export async function compressedForm(file: CachedFile, coding: 'br' | 'gzip', root: string): Promise<CodedForm> {
  const known = file.coded.get(coding)
  if (known) {
    const form = await known
    if (!form.sibling || isSameFile(form.sibling)) return form
  }
  const made = makeForm(file, coding, root)
  file.coded.set(coding, made)
  made.catch(() => file.coded.delete(coding)) // a failure is not kept: the next request tries again
  return made
}

async function makeForm(file: CachedFile, coding: 'br' | 'gzip', root: string): Promise<CodedForm> {
  const found = await findPrecompressed(file.namedPath, coding, file.mtime.getTime(), root)
  const sibling = found && found.info.size <= MAX_CACHED_FILE_BYTES ? found : undefined
  const body = sibling ? await readFile(sibling.path) : await compressBody(file.body, coding)
  const etag = codedEtag(sibling ? validatorsFor(sibling.info).etag : file.etag, coding)
  const validators = `ETag: ${etag}\r\nLast-Modified: ${file.lastModified}\r\n${file.cacheControl ? `Cache-Control: ${file.cacheControl}\r\n` : ''}`
  return {
    body,
    etag,
    headers: `${validators}Accept-Ranges: bytes\r\nContent-Type: ${file.contentType}\r\nContent-Encoding: ${coding}\r\nVary: Accept-Encoding\r\nContent-Length: ${body.length}\r\n`,
    notModifiedHeaders: `${validators}Vary: Accept-Encoding\r\n`,
    sibling: sibling && { path: sibling.path, mtimeMs: sibling.info.mtimeMs, size: body.length },
  }
}

function isSameFile({ path, mtimeMs, size }: { path: string; mtimeMs: number; size: number }): boolean {
  const info = statSync(path, { throwIfNoEntry: false })
  return info !== undefined && info.mtimeMs === mtimeMs && info.size === size
}
