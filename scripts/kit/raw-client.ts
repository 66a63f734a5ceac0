// A raw TCP client for tests: it sends exact bytes, whole or in pieces, and reads exact bytes back.

import net from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { MalformedResponse, parseResponse, type HttpResponse, type ParseOptions } from './http-response.ts'
import { showBytes } from './show.ts'

/** How long a read waits for the server before the test says what it got so far. */
export const readTimeoutMs = Number(process.env.WORKBOOK_TIMEOUT_MS ?? 3_000) // 3 s

/** A pause between pieces, so each piece reaches the server as its own TCP segment. */
const PIECE_GAP_MS = 5

export class WireTimeout extends Error {}

export class RawClient {
  /** Every client still open, so a suite can close them all after each test (destroyAll). */
  private static readonly open = new Set<RawClient>()
  readonly socket: net.Socket
  /** Everything sent so far, for failure messages. */
  sent: Buffer = Buffer.alloc(0)
  /** Everything received and not yet consumed by a read. */
  private pending: Buffer = Buffer.alloc(0)
  /** Everything received since the connection opened. */
  received: Buffer = Buffer.alloc(0)
  private ended = false
  private failure: Error | undefined
  private wake: (() => void) | undefined
  readonly closed: Promise<void>

  private constructor(socket: net.Socket) {
    this.socket = socket
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk])
      this.received = Buffer.concat([this.received, chunk])
      this.wake?.()
    })
    RawClient.open.add(this)
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        RawClient.open.delete(this)
        this.ended = true
        this.wake?.()
        resolve()
      })
    })
    socket.on('end', () => {
      this.ended = true
      this.wake?.()
    })
    socket.on('error', (error) => {
      this.failure = error
      this.wake?.()
    })
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host })
      socket.once('connect', () => resolve(new RawClient(socket)))
      socket.once('error', reject)
    })
  }

  /** The socket's error, if the connection failed: ECONNRESET when the server reset it. */
  get error(): Error | undefined {
    return this.failure
  }

  /** True once the server has closed its side (or the connection was reset). */
  get isClosed(): boolean {
    return this.ended || this.failure !== undefined
  }

  /** Send bytes in one write. */
  async send(data: string | Buffer): Promise<void> {
    const bytes = toBytes(data)
    this.sent = Buffer.concat([this.sent, bytes])
    await new Promise<void>((resolve, reject) => {
      if (this.socket.destroyed) return reject(new Error('cannot send: the connection is already closed'))
      this.socket.write(bytes, (error) => (error ? reject(error) : resolve()))
    })
  }

  /** Send bytes cut at the given offsets, one write per piece, with a pause between pieces. */
  async sendSplit(data: string | Buffer, offsets: number[]): Promise<void> {
    const bytes = toBytes(data)
    let start = 0
    for (const end of [...offsets, bytes.length]) {
      if (end > start) await this.send(bytes.subarray(start, end))
      start = end
      if (start < bytes.length) await sleep(PIECE_GAP_MS)
    }
  }

  /** Send one byte per write: the slowest, most honest way a request can arrive. */
  async sendBytewise(data: string | Buffer): Promise<void> {
    const bytes = toBytes(data)
    await this.sendSplit(bytes, Array.from({ length: bytes.length }, (_, i) => i + 1))
  }

  /** Read up to and including the next "\n". */
  async readLine(): Promise<Buffer> {
    return this.readUntil((buf) => {
      const end = buf.indexOf(0x0a)
      return end === -1 ? null : end + 1
    }, 'a line ending in \\n')
  }

  /** Read exactly n bytes. */
  async readBytes(n: number): Promise<Buffer> {
    return this.readUntil((buf) => (buf.length >= n ? n : null), `${n} bytes`)
  }

  /**
   * Read one complete HTTP response (by Content-Length, or up to the close when it has none).
   * `timeoutMs` overrides the default wait, for work that is slow by design (a password hash).
   */
  async readResponse(options: ParseOptions & { timeoutMs?: number } = {}): Promise<HttpResponse> {
    let response: HttpResponse | null = null
    await this.readUntil((buf, closed) => {
      try {
        response = parseResponse(buf, { ...options, closed })
      } catch (error) {
        if (!(error instanceof MalformedResponse)) throw error
        throw new MalformedResponse(`Expected an HTTP response, but ${error.message}.\n${this.transcript()}`)
      }
      return response ? response.raw.length : null
    }, 'a complete HTTP response', options.timeoutMs)
    return response!
  }

  /** Read everything until the server closes the connection. */
  async readUntilClose(): Promise<Buffer> {
    return this.readUntil((buf, closed) => (closed ? buf.length : null), 'the server to close the connection')
  }

  /** Wait until the server closes; false if it is still open after the timeout. */
  async waitForClose(timeoutMs = readTimeoutMs): Promise<boolean> {
    if (this.isClosed) return true
    const timer = sleep(timeoutMs).then(() => false)
    return Promise.race([this.closed.then(() => true), timer])
  }

  /** Close our sending side (TCP FIN) but keep reading. */
  endWriting(): void {
    this.socket.end()
  }

  destroy(): void {
    this.socket.destroy()
  }

  /** Close every client a test left open: a failed test must not hold a serial server for the next. */
  static destroyAll(): void {
    for (const client of RawClient.open) client.destroy()
  }

  private async readUntil(take: (buf: Buffer, closed: boolean) => number | null, what: string, timeoutMs = readTimeoutMs): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const closed = this.isClosed
      const n = take(this.pending, closed)
      if (n !== null) {
        const out = this.pending.subarray(0, n)
        this.pending = this.pending.subarray(n)
        return out
      }
      if (closed) {
        const how = this.failure ? `the connection failed (${this.failure.message})` : 'the server closed the connection'
        throw new WireTimeout(`Waited for ${what}, but ${how} first.\n${this.transcript()}`)
      }
      const left = deadline - Date.now()
      if (left <= 0) throw new WireTimeout(`Waited ${timeoutMs} ms for ${what}; it did not come.\n${this.transcript()}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = undefined
    }
  }

  /** What went over the wire so far, for a failure message. */
  transcript(): string {
    return `Sent (${this.sent.length} bytes):\n${showBytes(this.sent)}\nReceived (${this.received.length} bytes):\n${showBytes(this.received)}`
  }
}

function toBytes(data: string | Buffer): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data
}
