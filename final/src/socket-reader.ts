// A buffered reader over a socket: TCP hands us bytes in pieces of any size; readLine() and
// read(n) hand back exactly a line or exactly n bytes, however the pieces fell. A deadline turns
// a wait that lasts too long into a ReadTimeout.

import type net from 'node:net'
import { HIGH_WATER_BYTES } from './limits.ts'

export class LineTooLong extends Error {
  readonly limit: number
  constructor(limit: number) {
    super(`line longer than ${limit} bytes`)
    this.limit = limit
  }
}

/** The deadline passed while we waited for more of the client's bytes. */
export class ReadTimeout extends Error {}

export class SocketReader {
  /**
   * When set, a wait for more bytes still going on at this moment (ms since the epoch) ends in
   * ReadTimeout. The reader keeps no timer for it: the server's sweep calls expire().
   */
  deadline: number | undefined
  private buffer: Buffer = Buffer.alloc(0)
  // Bytes at the front of `buffer` that takeLineText() has taken: a line costs no Buffer (step 3).
  private start = 0
  private scanned = 0 // bytes of `buffer` already searched for "\n"
  private ended = false
  // The wait in progress, if any: settled by the next chunk, the end of the stream, or expire().
  private resolveWait: ((more: boolean) => void) | undefined
  private rejectWait: ((error: Error) => void) | undefined
  private readonly socket: net.Socket

  constructor(socket: net.Socket) {
    this.socket = socket
    socket.on('data', (chunk: Buffer) => {
      this.compact()
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
      if (this.buffer.length >= HIGH_WATER_BYTES) socket.pause() // back-pressure: let TCP slow the sender
      this.settleWait(true)
    })
    const onEnd = () => {
      this.ended = true
      this.settleWait(false)
    }
    socket.on('end', onEnd)
    socket.on('close', onEnd)
  }

  /** Called by the server's sweep: a wait past its deadline ends now, in ReadTimeout. */
  expire(now: number): void {
    if (this.rejectWait && this.deadline !== undefined && now >= this.deadline) {
      const reject = this.rejectWait
      this.resolveWait = this.rejectWait = undefined
      reject(new ReadTimeout('the client stopped sending'))
    }
  }

  /** Bytes received and not yet read: the start of a next request, when requests are pipelined. */
  get buffered(): number {
    return this.buffer.length - this.start
  }

  /** The next line with its ending ("\n" or "\r\n"); at end of stream, what is left (maybe empty). */
  async readLine(limit: number): Promise<Buffer> {
    this.compact()
    for (;;) {
      const end = this.buffer.indexOf(0x0a, this.scanned)
      if (end !== -1 && end < limit) return this.take(end + 1)
      if (end !== -1 || this.buffer.length >= limit) throw new LineTooLong(limit)
      this.scanned = this.buffer.length
      if (!(await this.fill())) return this.take(this.buffer.length)
    }
  }

  /** The next line as Latin-1 text with its ending if it is all here, else null: no promise, no Buffer (step 3). */
  takeLineText(limit: number): string | null {
    const end = this.buffer.indexOf(0x0a, this.start) + 1 // just after the "\n"; 0 if none is here yet
    if (end === 0 || end - this.start > limit) return null // not all here, or too long: readLine() waits, or refuses it
    const text = this.buffer.toString('latin1', this.start, end)
    this.start = end
    return text
  }

  /** Wait until at least one byte is here; false if the stream ends first. */
  waitForData(): Promise<boolean> {
    return this.buffered > 0 ? Promise.resolve(true) : this.fill()
  }

  /** The next byte, without taking it; undefined when none is here. */
  peek(): number | undefined {
    return this.buffer[this.start]
  }

  /** Exactly n bytes, or fewer if the stream ends first. */
  async read(n: number): Promise<Buffer> {
    this.compact()
    while (this.buffer.length < n) {
      if (!(await this.fill())) break
    }
    return this.take(Math.min(n, this.buffer.length))
  }

  /** Drop the bytes takeLineText() has taken, so that buffer[0] is the next unread byte. */
  private compact(): void {
    if (this.start === 0) return
    this.buffer = this.buffer.subarray(this.start)
    this.start = 0
    this.scanned = 0
  }

  private take(n: number): Buffer {
    const out = this.buffer.subarray(0, n)
    this.buffer = this.buffer.subarray(n)
    this.scanned = 0
    return out
  }

  /** Wait for more bytes; false once the stream has ended. One promise, settled by the socket's events (step 3). */
  private fill(): Promise<boolean> {
    if (this.ended) return Promise.resolve(false)
    if (this.deadline !== undefined && Date.now() >= this.deadline) return Promise.reject(new ReadTimeout('the client stopped sending'))
    this.socket.resume()
    return new Promise((resolve, reject) => {
      this.resolveWait = resolve
      this.rejectWait = reject
    })
  }

  private settleWait(more: boolean): void {
    const resolve = this.resolveWait
    this.resolveWait = this.rejectWait = undefined
    resolve?.(more)
  }
}
