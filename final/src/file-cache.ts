// Small files kept in memory with their responses ready: a hit costs one stat() and a write, not
// realpath, stat, open, fstat, read and close through the thread pool. Every hit is checked against
// the file on disk first: never a stale byte. The 10x step (README "What made it fast", step 1).

import { statSync, type Stats } from 'node:fs'
import { MAX_CACHE_BYTES, MAX_CACHED_FILE_BYTES, RACY_WINDOW_MS } from './limits.ts'

const MAX_WHOLE_RESPONSE_BODY_BYTES = 16 * 1024 // larger bodies are not copied into a ready response

/** What stat() says of a file whose content can have changed: device and inode, size, both times. */
type Stamp = Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs' | 'ctimeMs'>

export interface CachedFile {
  /**
   * The file's path under the root as the request named it, symbolic links unresolved: stat()
   * follows them, so a link switched to another file shows as a changed stamp.
   */
  namedPath: string
  body: Buffer
  etag: string
  lastModified: string
  mtime: Date
  /** The header lines after the status line and Date, for 200 responses. */
  headers: string
  /** The header lines of a 304 response for this file. */
  notModifiedHeaders: string
  /** Text of 1 KiB or more: its responses say Vary: Accept-Encoding, and it may be sent compressed. */
  compressible: boolean
  /** Whole 200 responses, head and body in one buffer, for one Date (see wholeResponse). */
  ready: { date: string; byConnection: Map<string, Buffer> }
}

interface Entry extends CachedFile {
  stamp: Stamp
  /** Served since the last eviction pass looked at it (the CLOCK algorithm's reference bit). */
  used: boolean
}

export class FileCache {
  // A Map keeps insertion order: eviction starts at the oldest entry.
  private readonly entries = new Map<string, Entry>()
  private bytes = 0
  private readonly maxBytes: number

  constructor(maxBytes = MAX_CACHE_BYTES) {
    this.maxBytes = maxBytes
  }

  /** Bytes of file content held now. */
  get size(): number {
    return this.bytes
  }

  /** The cached file for a request path (the query names no other file), if it is cached and unchanged on disk. */
  lookup(target: string): CachedFile | undefined {
    const entry = this.entries.get(target)
    if (!entry) return undefined
    const info = statSync(entry.namedPath, { throwIfNoEntry: false })
    if (!info || !sameStamp(info, entry.stamp)) {
      this.delete(target)
      return undefined
    }
    entry.used = true // a hit changes no Map: nothing to allocate, nothing to rehash (step 1)
    return entry
  }

  /** Keep a file that was just read whole, if it fits. */
  store(target: string, file: CachedFile, info: Stats): void {
    if (file.body.length > MAX_CACHED_FILE_BYTES || file.body.length !== info.size) return
    // ctime, not mtime: utimes() can set mtime to the past (tar, rsync -t), never ctime.
    if (Date.now() - info.ctimeMs < RACY_WINDOW_MS) return
    this.delete(target)
    const { dev, ino, size, mtimeMs, ctimeMs } = info
    this.entries.set(target, { ...file, stamp: { dev, ino, size, mtimeMs, ctimeMs }, used: false })
    this.bytes += file.body.length
    this.evict()
  }

  /**
   * Over budget, drop files from the oldest on; one served since the last pass gets a second
   * chance at the end of the line (CLOCK, an approximation of least recently used).
   */
  private evict(): void {
    for (const [target, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.entries.delete(target)
      if (entry.used) {
        entry.used = false
        this.entries.set(target, entry)
      } else {
        this.bytes -= entry.body.length
      }
    }
  }

  private delete(target: string): void {
    const entry = this.entries.get(target)
    if (!entry) return
    this.entries.delete(target)
    this.bytes -= entry.body.length
  }
}

/**
 * The whole "200 OK" for a file, as one buffer: the handler's responseHead(200) (the status line
 * and the headers every response carries), the file's own headers, the body. A head differs
 * only in its Date and its Connection line, so the buffer is built once per second and per
 * Connection line: a cache hit is then one write (README "What made it fast", step 2). Undefined for a larger
 * file, whose head and body go out in one writev() instead.
 */
export function wholeResponse(file: CachedFile, date: string, connection: string, head: { responseHead(code: number): string }): Buffer | undefined {
  if (file.body.length > MAX_WHOLE_RESPONSE_BODY_BYTES) return undefined // a copy per second would cost more than it saves
  if (file.ready.date !== date) file.ready = { date, byConnection: new Map() }
  let response = file.ready.byConnection.get(connection)
  if (!response) {
    response = Buffer.concat([Buffer.from(`${head.responseHead(200)}${file.headers}\r\n`, 'utf8'), file.body])
    file.ready.byConnection.set(connection, response)
  }
  return response
}

function sameStamp(info: Stats, stamp: Stamp): boolean {
  return info.ino === stamp.ino && info.mtimeMs === stamp.mtimeMs && info.ctimeMs === stamp.ctimeMs && info.size === stamp.size && info.dev === stamp.dev
}
