// Chapter 05, black-box: a large file is streamed from disk, not loaded into memory, and a client
// that leaves halfway frees the file. Memory and open files are read from Linux's /proc.

import { createHash, randomBytes } from 'node:crypto'
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exchange, expectResponse, hint, startServer, type RunningServer } from '../../../scripts/kit/index.ts'

const MiB = 1024 * 1024
const FILE_MIB = 200
const hasProc = existsSync('/proc/self/status')

let root: string
let expectedHash: string
let server: RunningServer

beforeAll(async () => {
  root = realpathSync(mkdtempSync(path.join(tmpdir(), 'workbook-large-')))
  // 200 distinct 1 MiB blocks: a reordered or repeated block changes the hash.
  const block = randomBytes(MiB)
  const hash = createHash('sha256')
  const fd = openSync(path.join(root, 'big.bin'), 'w')
  for (let i = 0; i < FILE_MIB; i++) {
    block.writeUInt32BE(i, 0)
    writeSync(fd, block)
    hash.update(block)
  }
  closeSync(fd)
  expectedHash = hash.digest('hex')
  server = await startServer({ reference: 'chapters/05-static-files', root })
}, 120_000)

afterAll(async () => {
  await server?.stop()
  rmSync(root, { recursive: true, force: true })
})

/** The server's peak resident memory so far, in MiB (VmHWM). */
function peakMemoryMiB(): number {
  const status = readFileSync(`/proc/${server.process.pid}/status`, 'utf8')
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024
}

/** How many of the server's file descriptors are open on big.bin. */
function openCopiesOfBigFile(): number {
  const fdDir = `/proc/${server.process.pid}/fd`
  return readdirSync(fdDir).filter((fd) => {
    try {
      return readlinkSync(`${fdDir}/${fd}`) === path.join(root, 'big.bin')
    } catch {
      return false // closed while we looked
    }
  }).length
}

/** GET a path and hash the body as it streams in, without keeping it. */
function fetchAndHash(target: string): Promise<{ head: string; bytes: number; hash: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`))
    const hash = createHash('sha256')
    let head = Buffer.alloc(0)
    let headText: string | undefined
    let bytes = 0
    socket.on('data', (chunk: Buffer) => {
      if (headText === undefined) {
        head = Buffer.concat([head, chunk])
        const end = head.indexOf('\r\n\r\n')
        if (end === -1) return
        headText = head.subarray(0, end).toString('latin1')
        chunk = head.subarray(end + 4)
      }
      bytes += chunk.length
      hash.update(chunk)
    })
    socket.on('end', () => resolve({ head: headText ?? head.toString('latin1'), bytes, hash: hash.digest('hex') }))
    socket.on('error', reject)
  })
}

describe('a 200 MiB file', hint('chapters/05-static-files/README.md#streaming-and-back-pressure'), () => {
  it('arrives whole and in order, with its Content-Length', { timeout: 120_000 }, async () => {
    const before = hasProc ? peakMemoryMiB() : 0
    const { head, bytes, hash } = await fetchAndHash('/big.bin')
    expect(head, 'The response head').toMatch(/^HTTP\/1\.1 200 /)
    expect(head, 'Content-Length is the file size in bytes').toMatch(new RegExp(`\\r\\ncontent-length: ?${FILE_MIB * MiB}\\r?(\\n|$)`, 'i'))
    expect(bytes, 'The number of body bytes received').toBe(FILE_MIB * MiB)
    expect(hash, 'The SHA-256 of the body must equal the file\'s: every byte, in order').toBe(expectedHash)
    if (hasProc) {
      // A server that reads the file whole grows by all of it. One that streams still holds the
      // chunks it has sent until V8 collects them, which a later chapter's server let reach 100 MiB.
      const growth = peakMemoryMiB() - before
      expect(growth, `The server's peak memory grew by ${Math.round(growth)} MiB while sending a ${FILE_MIB} MiB file: stream it from disk in chunks instead of reading it whole.`).toBeLessThan(FILE_MIB * 0.75)
    }
  })

  it.skipIf(!hasProc)('a client that leaves halfway does not leave the file open', { timeout: 60_000 }, async () => {
    const socket = net.connect(server.port, '127.0.0.1', () => socket.write('GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n'))
    let received = 0
    await new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length
        if (received > 4 * MiB) {
          socket.destroy()
          resolve()
        }
      })
    })
    // The server notices the reset on its next write; give it a moment to close the file.
    let open = openCopiesOfBigFile()
    for (let waited = 0; open > 0 && waited < 5_000; waited += 100) {
      await sleep(100)
      open = openCopiesOfBigFile()
    }
    expect(open, `After the client left mid-file, the server still holds big.bin open ${open} time(s). Close the file when the client goes.`).toBe(0)
  })

  it('the server goes on serving after that', async () => {
    const ex = await exchange(server.port, 'HEAD /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n')
    expectResponse(ex, { status: 200, headers: { 'content-length': String(FILE_MIB * MiB) } })
  })
})
