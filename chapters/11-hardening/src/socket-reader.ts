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
  private scanned = 0 // bytes of `buffer` already searched for "\n"
  private ended = false
  private timedOut = false
  private wake: (() => void) | undefined
  private readonly socket: net.Socket

  constructor(socket: net.Socket) {
    this.socket = socket
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
      if (this.buffer.length >= HIGH_WATER_BYTES) socket.pause() // back-pressure: let TCP slow the sender
      this.wake?.()
    })
    const onEnd = () => {
      this.ended = true
      this.wake?.()
    }
    socket.on('end', onEnd)
    socket.on('close', onEnd)
    socket.on('timeout', () => {
      // Bytes unsent for that long: the client is not reading our reply. Without them we are
      // waiting for the client (its deadline decides) or busy (a login waiting for a worker).
      if (socket.writableLength > 0) socket.destroy()
    })
  }

  /** Called by the server's sweep: a wait past its deadline ends now, in ReadTimeout. */
  expire(now: number): void {
    if (this.wake && this.deadline !== undefined && now >= this.deadline) {
      this.timedOut = true
      this.wake()
    }
  }

  /** Bytes received and not yet read: the start of a next request, when requests are pipelined. */
  get buffered(): number {
    return this.buffer.length
  }

  /** The next line with its ending ("\n" or "\r\n"); at end of stream, what is left (maybe empty). */
  async readLine(limit: number): Promise<Buffer> {
    for (;;) {
      const end = this.buffer.indexOf(0x0a, this.scanned)
      if (end !== -1 && end < limit) return this.take(end + 1)
      if (end !== -1 || this.buffer.length >= limit) throw new LineTooLong(limit)
      this.scanned = this.buffer.length
      if (!(await this.fill())) return this.take(this.buffer.length)
    }
  }

  /** Wait until at least one byte is here; false if the stream ends first. */
  async waitForData(): Promise<boolean> {
    return this.buffer.length > 0 || this.fill()
  }

  /** The next byte, without taking it; undefined when none is here. */
  peek(): number | undefined {
    return this.buffer[0]
  }

  /** Exactly n bytes, or fewer if the stream ends first. */
  async read(n: number): Promise<Buffer> {
    while (this.buffer.length < n) {
      if (!(await this.fill())) break
    }
    return this.take(Math.min(n, this.buffer.length))
  }

  private take(n: number): Buffer {
    const out = this.buffer.subarray(0, n)
    this.buffer = this.buffer.subarray(n)
    this.scanned = 0
    return out
  }

  /** Wait for more bytes; false once the stream has ended. */
  private async fill(): Promise<boolean> {
    if (this.ended) return false
    if (this.deadline !== undefined && Date.now() >= this.deadline) throw new ReadTimeout('the client stopped sending')
    const before = this.buffer.length
    this.socket.resume()
    while (this.buffer.length === before && !this.ended && !this.timedOut) {
      await new Promise<void>((resolve) => (this.wake = resolve))
    }
    this.wake = undefined
    if (this.timedOut) throw new ReadTimeout('the client stopped sending')
    return this.buffer.length > before
  }
}
