// A buffered reader over a socket: TCP hands us bytes in pieces of any size; readLine() and
// read(n) hand back exactly a line or exactly n bytes, however the pieces fell.

import type net from 'node:net'

const HIGH_WATER_BYTES = 64 * 1024 // stop reading from the socket while this much is unread

export class LineTooLong extends Error {
  readonly limit: number
  constructor(limit: number) {
    super(`line longer than ${limit} bytes`)
    this.limit = limit
  }
}

/** The client sent nothing for the socket's timeout while we waited for more of its request. */
export class ReadTimeout extends Error {}

export class SocketReader {
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
    // Node runs expired timers before it reads the sockets: after a stall (a starved host, a long
    // GC pause) the timeout can fire with the client's bytes already here, unread. So it is
    // judged one turn later, once they are read; a byte read meanwhile restarted the timer.
    socket.on('timeout', () => {
      const bytesRead = socket.bytesRead
      setImmediate(() => {
        if (socket.bytesRead === bytesRead) this.timeOut()
      })
    })
  }

  /**
   * Waiting for the client: a 408 goes out. Not waiting, with bytes unsent: the client is not
   * reading our reply. Neither: we are busy (a login waiting for a worker), which is no fault.
   */
  private timeOut(): void {
    if (this.wake) {
      this.timedOut = true
      this.wake()
    } else if (this.socket.writableLength > 0) {
      this.socket.destroy()
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
