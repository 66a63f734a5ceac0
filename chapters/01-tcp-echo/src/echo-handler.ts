// Reads one line from the client and writes it back.

import type net from 'node:net'
import { BaseRequestHandler } from './base-handler.ts'

export class EchoHandler extends BaseRequestHandler {
  override async handle(): Promise<void> {
    const line = await readFirstLine(this.request)
    if (line.length > 0) this.request.write(line)
  }
}

/**
 * Collects bytes until the first "\n" (or until the client closes). TCP delivers a stream, not
 * messages: a line can arrive in several pieces, so we keep reading until we have all of it.
 */
function readFirstLine(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0)
    const finish = (line: Buffer) => {
      socket.off('data', onData)
      socket.off('end', onEnd)
      socket.off('close', onEnd)
      socket.pause()
      resolve(line)
    }
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      const end = received.indexOf(0x0a)
      if (end !== -1) finish(received.subarray(0, end + 1))
    }
    const onEnd = () => finish(received)
    socket.on('data', onData)
    socket.on('end', onEnd)
    socket.on('close', onEnd)
    socket.resume()
  })
}
