// The blog's StreamRequestHandler: a handler that reads through a buffer (rfile: lines and byte counts)
// and writes through a buffer that flush() sends in one go.

import type net from 'node:net'
import { BaseRequestHandler } from './base-handler.ts'
import { SocketReader } from './socket-reader.ts'
import type { TCPServer } from './tcp-server.ts'

const COPY_LIMIT_BYTES = 16 * 1024 // a response this small is joined into one buffer before writing

export class StreamRequestHandler extends BaseRequestHandler {
  readonly rfile: SocketReader
  /** What write() queued: text is kept as one string until flush(), bytes as they came. */
  protected wbuf: (string | Buffer)[] = []
  /** While we wait for the client to read our reply: when we stop waiting and cut it off. */
  private writeDeadline: number | undefined

  constructor(server: TCPServer, request: net.Socket, clientAddress: string) {
    super(server, request, clientAddress)
    this.rfile = new SocketReader(request)
  }

  /** Text to bytes: UTF-8, the only encoding this workbook speaks. */
  encode(text: string | Buffer): Buffer {
    return typeof text === 'string' ? Buffer.from(text, 'utf8') : text
  }

  /**
   * A read past its deadline ends in ReadTimeout; a client that has not read our reply for
   * requestTimeoutMs is cut off (it may be reading nothing at all, and holds a connection).
   */
  override checkDeadlines(now: number): void {
    this.rfile.expire(now)
    if (this.writeDeadline !== undefined && now >= this.writeDeadline) this.request.destroy()
  }

  /** Queue bytes; nothing goes on the wire until flush(). */
  write(data: string | Buffer): void {
    const last = this.wbuf.length - 1
    // A response head is a dozen small writes: join them as text, encode once.
    if (typeof data === 'string' && last >= 0 && typeof this.wbuf[last] === 'string') this.wbuf[last] += data
    else this.wbuf.push(data)
  }

  /**
   * Send everything queued in one system call; wait only when the socket's buffer is full
   * (back-pressure), not for every response: then, and only then, the answer is a promise
   * (no promise where nothing waits, README "What made it fast", step 5).
   */
  flush(): Promise<void> | undefined {
    const socket = this.request
    if (socket.destroyed) this.wbuf.length = 0 // nobody to send it to
    if (this.wbuf.length === 0) return undefined
    let room: boolean
    if (this.wbuf.length === 1) {
      room = socket.write(this.encode(this.wbuf[0]!)) // the usual case: one buffer, or the head as one string
      this.wbuf.length = 0
      return room ? undefined : this.drained()
    }
    const pieces = this.wbuf.map((piece) => this.encode(piece))
    this.wbuf = []
    if (totalLength(pieces) <= COPY_LIMIT_BYTES) {
      room = socket.write(Buffer.concat(pieces)) // copying a few KiB is cheaper than a writev
    } else {
      socket.cork() // the pieces leave in one writev() system call, without copying
      room = true
      for (const piece of pieces) room = socket.write(piece)
      socket.uncork()
    }
    return room ? undefined : this.drained()
  }

  /** Wait until the client has read enough of our reply for the socket to take more. */
  private async drained(): Promise<void> {
    this.writeDeadline = Date.now() + this.server.limits.requestTimeoutMs
    try {
      await waitForDrain(this.request)
    } finally {
      this.writeDeadline = undefined
    }
  }

  /**
   * Send everything queued, then a stream's chunks at the pace the client takes them, as they
   * come or (chunked) framed as chunks when their length is not known in advance. Written by
   * hand rather than with pipeline(): on a kept-alive socket, each pipeline() would leave
   * listeners behind (README "What made it fast", step 2).
   */
  async writeFrom(source: AsyncIterable<Buffer>, chunked = false): Promise<void> {
    await this.flush()
    const socket = this.request
    for await (const chunk of source) {
      if (socket.destroyed) throw new Error('the client closed the connection')
      if (!chunked) {
        if (!socket.write(chunk)) await this.drained()
        continue
      }
      if (chunk.length === 0) continue // a chunk of size 0 would end the body here
      // RFC 9112 §7.1: the size in hex, CRLF, the data, CRLF; corked, so one writev() and no copy.
      socket.cork()
      socket.write(`${chunk.length.toString(16)}\r\n`)
      socket.write(chunk)
      const room = socket.write('\r\n')
      socket.uncork()
      if (!room) await this.drained()
    }
    if (chunked && !socket.destroyed) socket.write('0\r\n\r\n') // the last chunk, no trailer fields
  }
}

function totalLength(pieces: Buffer[]): number {
  let length = 0
  for (const piece of pieces) length += piece.length
  return length
}

/** Resolves when the socket can take more, rejects if it closes first (the client left). */
function waitForDrain(socket: net.Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      socket.off('drain', onDrain)
      socket.off('close', onClose)
      if (error) reject(error)
      else resolve()
    }
    const onDrain = () => settle()
    const onClose = () => settle(new Error('the client closed the connection'))
    socket.on('drain', onDrain)
    socket.on('close', onClose)
  })
}
