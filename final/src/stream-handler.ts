// The blog's StreamRequestHandler: a handler that reads through a buffer (rfile: lines and byte
// counts, read by read-request.ts) and writes through a buffer that flush() sends in one go.

import type net from 'node:net'
import type { Readable } from 'node:stream'
import { BaseRequestHandler } from './base-handler.ts'
import { SocketReader } from './socket-reader.ts'
import type { TCPServer } from './tcp-server.ts'

const COPY_LIMIT_BYTES = 16 * 1024 // a response this small is joined into one buffer before writing

export class StreamRequestHandler extends BaseRequestHandler {
  readonly rfile: SocketReader
  protected wbuf: Buffer[] = []
  /** While we wait for the client to read our reply: when we stop waiting and cut it off. */
  private writeDeadline: number | undefined
  /** Bytes streamed by writeFrom(), for the access log. */
  bytesSent = 0

  constructor(server: TCPServer, request: net.Socket, clientAddress: string) {
    super(server, request, clientAddress)
    this.rfile = new SocketReader(request)
  }

  /** Text to bytes: UTF-8, the only encoding this workbook speaks. */
  encode(text: string | Buffer): Buffer {
    return typeof text === 'string' ? Buffer.from(text, 'utf8') : text
  }

  /** Also a client that has not read our reply for requestTimeoutMs: no timer per socket (step 5). */
  override checkDeadlines(now: number): void {
    this.rfile.expire(now)
    if (this.writeDeadline !== undefined && now >= this.writeDeadline) this.request.destroy()
  }

  /** Queue bytes; nothing goes on the wire until flush(). */
  write(data: string | Buffer): void {
    this.wbuf.push(this.encode(data))
  }

  /**
   * Send everything queued in one system call; wait only when the socket's buffer is full
   * (back-pressure), not for every response: only then is the answer a promise (README "What made it fast", step 3).
   */
  flush(): Promise<void> | undefined {
    const socket = this.request
    if (socket.destroyed) this.wbuf.length = 0 // nobody to send it to
    if (this.wbuf.length === 0) return undefined
    const pieces = this.wbuf
    this.wbuf = []
    let room = true
    if (pieces.length === 1 || pieces.reduce((sum, piece) => sum + piece.length, 0) <= COPY_LIMIT_BYTES) {
      room = socket.write(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces)) // copying a few KiB is cheaper than a writev
    } else {
      socket.cork() // the pieces leave in one writev() system call, without copying
      for (const piece of pieces) room = socket.write(piece)
      socket.uncork()
    }
    return room ? undefined : this.drained()
  }

  /** Wait until the client has read enough of our reply for the socket to take more. */
  private async drained(): Promise<void> {
    this.writeDeadline = Date.now() + this.server.requestTimeoutMs
    try {
      await drained(this.request)
    } finally {
      this.writeDeadline = undefined
    }
  }

  /**
   * Send everything queued, then a stream's bytes at the pace the client takes them, as they come
   * or (chunked) framed as chunks when their length is not known in advance: wait for
   * 'drain' when the socket's buffer is full; leaving the loop destroys the source. By hand, not
   * with pipeline(): on a kept-alive socket, each pipeline() would leave a listener behind.
   */
  async writeFrom(source: Readable, chunked = false): Promise<void> {
    await this.flush()
    for await (const chunk of source) {
      if (this.request.destroyed) throw new Error('the client closed the connection')
      if (chunked && chunk.length === 0) continue // a chunk of size 0 would end the body here
      this.bytesSent += chunk.length
      // RFC 9112 §7.1: chunked framing puts each piece's size, in hex, on a line before it.
      const data = chunked ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk
      if (!this.request.write(data)) await this.drained()
    }
    if (chunked) this.request.write('0\r\n\r\n') // the last chunk, no trailer fields, the empty line
  }
}

/** Resolves when the socket can take more; rejects if it closes first (the client left). */
function drained(socket: net.Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      socket.off('close', onClose)
      resolve()
    }
    const onClose = () => {
      socket.off('drain', onDrain)
      reject(new Error('the client closed the connection'))
    }
    socket.once('drain', onDrain)
    socket.once('close', onClose)
  })
}
