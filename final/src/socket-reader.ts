// A buffered reader over a socket: TCP hands us bytes in pieces of any size; readLine() and
// read(n) hand back exactly a line or exactly n bytes, however the pieces fell. A deadline turns
// a wait that lasts too long into a ReadTimeout.

import type net from 'node:net'
import { HIGH_WATER_BYTES } from './limits.ts'

const EMPTY = Buffer.alloc(0)

export class LineTooLong extends Error {
  readonly limit: number
  constructor(limit: number) {
    super(`line longer than ${limit} bytes`)
    this.limit = limit
  }
}

/** The deadline passed while we waited for the client. */
export class ReadTimeout extends Error {}

const timedOut = () => new ReadTimeout('the client sent nothing in time')

export class SocketReader {
  /**
   * When set, a wait for more bytes that is still going on at this moment (ms since the epoch)
   * ends in ReadTimeout. Nothing here keeps a timer: the server calls expire() now and then.
   */
  deadline: number | undefined
  // The unread bytes are buffer[start..]: taking a line moves `start`, it copies nothing.
  private buffer: Buffer = EMPTY
  private start = 0
  private scanned = 0 // bytes from `start` already searched for "\n"
  private ended = false
  // The wait in progress, if any: settled by the next chunk, the end of the stream, or expire().
  private resolveWait: ((more: boolean) => void) | undefined
  private rejectWait: ((error: Error) => void) | undefined
  private readonly socket: net.Socket

  constructor(socket: net.Socket) {
    this.socket = socket
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffered === 0 ? chunk : Buffer.concat([this.buffer.subarray(this.start), chunk])
      this.start = 0
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

  /** Bytes received and not yet read. */
  get buffered(): number {
    return this.buffer.length - this.start
  }

  /** The next unread byte, left unread; undefined when none is buffered. */
  peekByte(): number | undefined {
    return this.buffered > 0 ? this.buffer[this.start] : undefined
  }

  /** The next line with its ending ("\n" or "\r\n"); at end of stream, what is left (maybe empty). */
  async readLine(limit: number): Promise<Buffer> {
    for (;;) {
      const end = this.lineEnd(limit)
      if (end !== -1) return this.take(end - this.start)
      if (!(await this.fill())) return this.take(this.buffered)
    }
  }

  /**
   * The next line as Latin-1 text with its ending, if it is already buffered, or null: no waiting,
   * no promise, no Buffer object. A request that arrived whole (the usual case) is read through
   * this alone (README "What made it fast", steps 5 and 6).
   */
  takeLineText(limit: number): string | null {
    const end = this.lineEnd(limit)
    if (end === -1) return null
    const text = this.buffer.toString('latin1', this.start, end)
    this.advance(end - this.start)
    return text
  }

  /** Exactly n bytes, or fewer if the stream ends first. */
  async read(n: number): Promise<Buffer> {
    while (this.buffered < n) {
      if (!(await this.fill())) break
    }
    return this.take(Math.min(n, this.buffered))
  }

  /** Wait until at least one byte is buffered; false if the stream ends first. */
  waitForData(): Promise<boolean> {
    return this.buffered > 0 ? Promise.resolve(true) : this.fill()
  }

  /** Called by the server's deadline sweep: a wait past its deadline ends now, in ReadTimeout. */
  expire(now: number): void {
    if (this.rejectWait && this.deadline !== undefined && now >= this.deadline) {
      const reject = this.rejectWait
      this.resolveWait = this.rejectWait = undefined
      reject(timedOut())
    }
  }

  /** Where the buffered line ends (just after its "\n"), or -1 if it is not all here yet. */
  private lineEnd(limit: number): number {
    const newline = this.buffer.indexOf(0x0a, this.start + this.scanned)
    const length = newline === -1 ? this.buffered : newline - this.start + 1
    if (length > limit || (newline === -1 && length >= limit)) throw new LineTooLong(limit)
    if (newline !== -1) return newline + 1
    this.scanned = this.buffered
    return -1
  }

  private take(n: number): Buffer {
    const out = this.buffer.subarray(this.start, this.start + n)
    this.advance(n)
    return out
  }

  private advance(n: number): void {
    this.start += n
    this.scanned = 0
    if (this.start === this.buffer.length) {
      this.buffer = EMPTY // let the chunk go
      this.start = 0
    }
  }

  /**
   * Wait for more bytes: true when they came, false once the stream has ended, ReadTimeout past
   * the deadline. One promise, settled by the socket's events (this is on every request's path;
   * it had been a chain of four async functions, README "What made it fast", step 5).
   */
  private fill(): Promise<boolean> {
    if (this.ended) return Promise.resolve(false)
    if (this.deadline !== undefined && Date.now() >= this.deadline) return Promise.reject(timedOut())
    this.socket.resume()
    return new Promise((resolve, reject) => {
      this.resolveWait = resolve
      this.rejectWait = reject
    })
  }

  private settleWait(more: boolean): void {
    const resolve = this.resolveWait
    if (!resolve) return
    this.resolveWait = this.rejectWait = undefined
    resolve(more)
  }
}
