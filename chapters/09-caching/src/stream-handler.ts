// The blog's StreamRequestHandler: a handler that reads through a buffer (rfile: lines and byte
// counts, read by read-request.ts) and writes through a buffer that flush() sends in one go.

import type net from 'node:net'
import type { Readable } from 'node:stream'
import { BaseRequestHandler } from './base-handler.ts'
import { SocketReader } from './socket-reader.ts'
import type { TCPServer } from './tcp-server.ts'

export class StreamRequestHandler extends BaseRequestHandler {
  readonly rfile: SocketReader
  protected wbuf: Buffer[] = []

  constructor(server: TCPServer, request: net.Socket, clientAddress: string) {
    super(server, request, clientAddress)
    this.rfile = new SocketReader(request)
  }

  /** Text to bytes: UTF-8, the only encoding this workbook speaks. */
  encode(text: string | Buffer): Buffer {
    return typeof text === 'string' ? Buffer.from(text, 'utf8') : text
  }

  /** Queue bytes; nothing goes on the wire until flush(). */
  write(data: string | Buffer): void {
    this.wbuf.push(this.encode(data))
  }

  /** Send everything queued in one write, and wait until the socket has taken it. */
  flush(): Promise<void> {
    const data = Buffer.concat(this.wbuf)
    this.wbuf = []
    if (data.length === 0 || this.request.destroyed) return Promise.resolve()
    return new Promise((resolve) => this.request.write(data, () => resolve()))
  }

  /**
   * Send everything queued, then a stream's bytes at the pace the client takes them: wait for
   * 'drain' when the socket's buffer is full; leaving the loop destroys the source. By hand, not
   * with pipeline(): on a kept-alive socket, each pipeline() would leave a listener behind.
   */
  async writeFrom(source: Readable): Promise<void> {
    await this.flush()
    for await (const chunk of source) {
      if (this.request.destroyed) throw new Error('the client closed the connection')
      if (!this.request.write(chunk)) await drained(this.request)
    }
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
