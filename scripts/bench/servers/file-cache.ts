// Files kept in memory as Buffers with their response headers built once. Every hit is checked
// against a fresh stat, so a file that changed on disk is read again: never stale bytes.

import fs from 'node:fs'
import { readFile } from 'node:fs/promises'
import { contentTypeFor } from './server-args.ts'

export const MAX_CACHED_FILE_BYTES = 8 * 1024 * 1024 // 8 MiB: larger files are streamed
export const MAX_CACHE_BYTES = 64 * 1024 * 1024 // 64 MiB in all, oldest entry evicted first
// File times tick coarsely (a jiffy on Linux, 2 s on FAT): two same-size writes within one tick
// leave the same stamp. A file changed this recently is served but not cached (git's "racy" rule).
export const RACY_WINDOW_MS = 1_000

export interface CachedFile {
  body: Buffer
  /** Raw [name, value, name, value…] for res.writeHead: node:http copies them without a lookup. */
  headers: string[]
  etag: string
  /** What stat said when the bytes were read: any change to it means the bytes may be old. */
  stamp: string
}

export class FileCache {
  private readonly entries = new Map<string, CachedFile>()
  private bytes = 0

  /**
   * The cached file if it is still what is on disk; undefined for a miss. A synchronous stat of a
   * file in the page cache costs about a microsecond, less than an async stat's trip through the
   * thread pool, and unlike fs.watch (late, coalesced events) it cannot miss a change.
   */
  lookup(file: string): { hit: CachedFile | undefined; stats: fs.Stats | undefined } {
    const stats = fs.statSync(file, { throwIfNoEntry: false })
    const entry = this.entries.get(file)
    if (entry && stats && entry.stamp === stampOf(stats)) return { hit: entry, stats }
    if (entry) this.forget(file)
    return { hit: undefined, stats }
  }

  /**
   * Read the file, and keep it unless it changed too recently to trust its stamp. The stamp comes
   * from the stat before the read: a write during the read makes it old, so the next lookup reads again.
   */
  async load(file: string, stats: fs.Stats): Promise<CachedFile | undefined> {
    if (!stats.isFile() || stats.size > MAX_CACHED_FILE_BYTES) return undefined
    const body = await readFile(file)
    const etag = `W/"${body.length.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`
    const headers = ['Content-Type', contentTypeFor(file), 'Content-Length', String(body.length), 'ETag', etag, 'Last-Modified', stats.mtime.toUTCString()]
    const entry: CachedFile = { body, headers, etag, stamp: stampOf(stats) }
    this.forget(file)
    // ctime, not mtime: utimes() can set mtime to the past (tar, rsync -t), never ctime.
    if (Date.now() - stats.ctimeMs < RACY_WINDOW_MS) return entry
    this.entries.set(file, entry)
    this.bytes += body.length
    for (const [key, old] of this.entries) {
      if (this.bytes <= MAX_CACHE_BYTES) break
      this.entries.delete(key) // Map keeps insertion order: the first key is the oldest
      this.bytes -= old.body.length
    }
    return entry
  }

  private forget(file: string): void {
    const entry = this.entries.get(file)
    if (!entry) return
    this.entries.delete(file)
    this.bytes -= entry.body.length
  }
}

/** Inode, size and both times to the nanosecond: a rename over the file or a same-size rewrite changes at least one. */
function stampOf(stats: fs.Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`
}
