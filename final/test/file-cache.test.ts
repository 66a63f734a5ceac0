// final/'s FileCache, in process: what it keeps, what it gives back, and that a change on disk
// always wins over what it holds. (conditional.test.ts checks the same over the socket.)

import { mkdtempSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { otherServer } from '../../scripts/kit/index.ts'
import { FileCache, wholeResponse, type CachedFile } from '../src/file-cache.ts'
import { RACY_WINDOW_MS } from '../src/limits.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'workbook-file-cache-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const OLD = new Date('2024-01-01T00:00:00Z')

/** A file whose stamp is old enough to be cached, and its entry as the handler makes it. */
function fileOnDisk(name: string, content: string): { file: CachedFile; namedPath: string } {
  const namedPath = path.join(dir, name)
  writeFileSync(namedPath, content)
  utimesSync(namedPath, OLD, OLD)
  const body = Buffer.from(content)
  return { namedPath, file: { namedPath, body, etag: `"${name}"`, mtime: OLD, headers: `Content-Length: ${body.length}\r\n`, notModifiedHeaders: '', compressible: false, lastModified: '', ready: { date: '', byConnection: new Map() } } }
}

/** Wait until a change made now is older than the racy window, so the file may be cached. */
const outOfRacyWindow = () => new Promise((resolve) => setTimeout(resolve, RACY_WINDOW_MS + 100))

// Unit tests of the reference code: skipped when WORKBOOK_SERVER names another server.
describe.skipIf(otherServer)('FileCache', () => {
  it('gives back what it stored, while the file is unchanged', async () => {
    const { file, namedPath } = fileOnDisk('a.txt', 'aaaa')
    await outOfRacyWindow()
    const cache = new FileCache()
    cache.store('/a.txt', file, statSync(namedPath))
    expect(cache.lookup('/a.txt')?.body.toString()).toBe('aaaa')
    expect(cache.lookup('/b.txt')).toBeUndefined()
  })

  it('does not keep a file changed within the racy window: its time stamp cannot be trusted yet', () => {
    const { file, namedPath } = fileOnDisk('young.txt', 'young')
    const cache = new FileCache()
    cache.store('/young.txt', file, statSync(namedPath)) // ctime is now: utimes() changed it
    expect(cache.lookup('/young.txt')).toBeUndefined()
  })

  it('misses once the file is rewritten in place, replaced by a rename, or deleted', async () => {
    const cache = new FileCache()
    const entries = ['inplace.txt', 'renamed.txt', 'deleted.txt'].map((name) => ({ name, ...fileOnDisk(name, 'old!') }))
    await outOfRacyWindow()
    for (const { name, file, namedPath } of entries) cache.store(`/${name}`, file, statSync(namedPath))
    for (const { name } of entries) expect(cache.lookup(`/${name}`), name).toBeDefined()

    writeFileSync(path.join(dir, 'inplace.txt'), 'new!') // same size
    utimesSync(path.join(dir, 'inplace.txt'), OLD, OLD) // even with the old modification time
    writeFileSync(path.join(dir, 'next.txt'), 'new!')
    renameSync(path.join(dir, 'next.txt'), path.join(dir, 'renamed.txt')) // how deploys replace files
    rmSync(path.join(dir, 'deleted.txt'))
    for (const { name } of entries) expect(cache.lookup(`/${name}`), `${name} changed on disk`).toBeUndefined()
  })

  it('stays within its budget: the oldest unused files go first, a file served since gets a second chance', async () => {
    const cache = new FileCache(10) // bytes
    const [a, b, c] = ['a', 'b', 'c'].map((name) => fileOnDisk(`${name}.txt`, name.repeat(4)))
    await outOfRacyWindow()
    cache.store('/a', a!.file, statSync(a!.namedPath))
    cache.store('/b', b!.file, statSync(b!.namedPath))
    expect(cache.lookup('/a')).toBeDefined() // a is used, b is not
    cache.store('/c', c!.file, statSync(c!.namedPath)) // 12 bytes: one file must go
    expect(cache.size).toBeLessThanOrEqual(10)
    expect(cache.lookup('/b'), 'b: the oldest not served since').toBeUndefined()
    expect(cache.lookup('/a'), 'a: served, so kept').toBeDefined()
    expect(cache.lookup('/c'), 'c: just stored').toBeDefined()
  })
})

describe.skipIf(otherServer)('wholeResponse', () => {
  const handler = (date: string) => ({ responseHead: (code: number) => `HTTP/1.1 ${code} OK\r\nDate: ${date}\r\n` })

  it('is head, file headers, blank line and body, in one buffer, the same buffer while the Date is the same', () => {
    const { file } = fileOnDisk('page.html', '<p>hi</p>')
    const first = wholeResponse(file, 'Mon, 01 Jan 2024 00:00:00 GMT', '', handler('Mon, 01 Jan 2024 00:00:00 GMT'))!
    expect(first.toString()).toBe('HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Length: 9\r\n\r\n<p>hi</p>')
    expect(wholeResponse(file, 'Mon, 01 Jan 2024 00:00:00 GMT', '', handler('ignored'))).toBe(first)
  })

  it('is rebuilt when the Date changes, and kept apart per Connection line', () => {
    const { file } = fileOnDisk('page.html', '<p>hi</p>')
    const keepAlive = wholeResponse(file, 'Mon, 01 Jan 2024 00:00:00 GMT', '', handler('second 0'))!
    const closing = wholeResponse(file, 'Mon, 01 Jan 2024 00:00:00 GMT', 'Connection: close\r\n', handler('second 0, closing'))!
    expect(closing.toString()).toContain('second 0, closing')
    expect(wholeResponse(file, 'Mon, 01 Jan 2024 00:00:00 GMT', '', handler('x'))).toBe(keepAlive)
    expect(wholeResponse(file, 'Mon, 01 Jan 2024 00:00:01 GMT', '', handler('second 1'))!.toString()).toContain('second 1')
  })

  it('is not made for a large body, which goes out without a copy', () => {
    const { file } = fileOnDisk('big.bin', 'x'.repeat(64 * 1024))
    expect(wholeResponse(file, 'd', '', handler('d'))).toBeUndefined()
  })
})
