// Small files kept in memory, with their response headers ready, so that serving one costs a
// single stat() and a write instead of realpath, stat, open, fstat, read and close through the
// thread pool. Every hit is checked against the file on disk first: never a stale byte.

import { statSync, type Stats } from 'node:fs'

export const MAX_CACHED_FILE_BYTES = 1024 * 1024 // 1 MiB: larger files are streamed from disk
export const MAX_CACHE_BYTES = 64 * 1024 * 1024 // 64 MiB for all cached files together
// File times tick coarsely on some filesystems (2 s on FAT): two same-size writes within one tick
// leave the same stamp. A file changed this recently is served but not cached (git's "racy" rule).
export const RACY_WINDOW_MS = 1_000

export interface CachedFile {
  /**
   * The file's path under the root as the request named it, symbolic links unresolved: stat()
   * follows them, so a link switched to another file shows as a changed identity.
   */
  namedPath: string
  body: Buffer
  etag: string
  mtime: Date
  /** The header lines after the status line and Date, for 200 responses. */
  headers: string
  /** The header lines of a 304 response for this file. */
  notModifiedHeaders: string
  identity: string
}

export class FileCache {
  // A Map keeps insertion order: the first entry is the least recently used one.
  private readonly entries = new Map<string, CachedFile>()
  private bytes = 0

  /** The cached file for a request target, if it is cached and unchanged on disk. */
  lookup(target: string): CachedFile | undefined {
    const entry = this.entries.get(target)
    if (!entry) return undefined
    const info = statSync(entry.namedPath, { throwIfNoEntry: false })
    if (!info || identityOf(info) !== entry.identity) {
      this.delete(target)
      return undefined
    }
    this.entries.delete(target) // move to the end: most recently used
    this.entries.set(target, entry)
    return entry
  }

  /** Keep a file that was just read whole, if it fits. */
  store(target: string, entry: Omit<CachedFile, 'identity'>, info: Stats): void {
    if (entry.body.length > MAX_CACHED_FILE_BYTES || entry.body.length !== info.size) return
    // ctime, not mtime: utimes() can set mtime to the past (tar, rsync -t), never ctime.
    if (Date.now() - info.ctimeMs < RACY_WINDOW_MS) return
    this.delete(target)
    this.entries.set(target, { ...entry, identity: identityOf(info) })
    this.bytes += entry.body.length
    for (const [oldest, { body }] of this.entries) {
      if (this.bytes <= MAX_CACHE_BYTES) break
      this.entries.delete(oldest)
      this.bytes -= body.length
    }
  }

  private delete(target: string): void {
    const entry = this.entries.get(target)
    if (!entry) return
    this.entries.delete(target)
    this.bytes -= entry.body.length
  }
}

/** What changes when a file's content can have changed: inode, size, modification and change time. */
function identityOf(info: Stats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`
}
