// The blog's TCPServer: bind, listen, then one loop that takes a connection, handles it, closes it.

import net from 'node:net'
import type { HandlerClass } from './base-handler.ts'

const LINGER_MS = 2_000 // how long a closing connection may go on sending, as nginx's lingering_timeout

export interface ServerAddress {
  host: string
  port: number
}

export class TCPServer {
  readonly serverAddress: ServerAddress
  readonly HandlerClass: HandlerClass
  isShutdown = false
  // Node accepts connections as they arrive; paused, they wait here until the loop takes them.
  // allowHalfOpen: a client's FIN means it sends no more, not that it wants no answer (RFC 9293 §3.6).
  private readonly listener = net.createServer({ pauseOnConnect: true, allowHalfOpen: true })
  private readonly accepted: net.Socket[] = []
  private wakeAccept: (() => void) | undefined

  constructor(serverAddress: ServerAddress, HandlerClass: HandlerClass) {
    this.serverAddress = serverAddress
    this.HandlerClass = HandlerClass
    this.listener.on('connection', (socket) => {
      this.accepted.push(socket)
      this.wakeAccept?.()
    })
  }

  /** bind() and listen(): after this the kernel queues connections for us. */
  listen(): Promise<ServerAddress> {
    return new Promise((resolve, reject) => {
      this.listener.once('error', reject)
      this.listener.listen(this.serverAddress.port, this.serverAddress.host, () => {
        this.listener.off('error', reject)
        const { port } = this.listener.address() as net.AddressInfo
        resolve({ host: this.serverAddress.host, port })
      })
    })
  }

  /** The accept loop: one connection at a time, each handled to the end before the next. */
  async serveForever(): Promise<void> {
    while (!this.isShutdown) {
      const socket = await this.getRequest()
      if (!socket) break
      try {
        await this.processRequest(socket)
      } catch (error) {
        console.error('handler failed:', error)
        socket.destroy()
      }
    }
  }

  /** Like accept(): the next connection, or undefined once the server shuts down. */
  async getRequest(): Promise<net.Socket | undefined> {
    while (this.accepted.length === 0 && !this.isShutdown) {
      await new Promise<void>((resolve) => (this.wakeAccept = resolve))
    }
    return this.accepted.shift()
  }

  async processRequest(socket: net.Socket): Promise<void> {
    // A client that resets the connection must not crash the server: note it and carry on.
    socket.on('error', (error) => console.error(`connection error: ${error.message}`))
    const handler = new this.HandlerClass(this, socket, `${socket.remoteAddress}:${socket.remotePort}`)
    await handler.handle()
    this.closeRequest(socket)
  }

  /** Send FIN after the last byte written (the blog's shutdown(SHUT_WR) then close). */
  closeRequest(socket: net.Socket): void {
    socket.end()
    // Drop whatever else the client sends: closing with unread bytes would reset the connection,
    // and a reset can destroy our reply before the client has read it. But not for ever: a
    // client that keeps sending (a huge upload we refused) is cut off after LINGER_MS.
    socket.resume()
    const linger = setTimeout(() => socket.destroy(), LINGER_MS)
    socket.once('close', () => clearTimeout(linger))
  }

  shutdown(): void {
    this.isShutdown = true
    this.listener.close()
    for (const socket of this.accepted.splice(0)) socket.destroy()
    this.wakeAccept?.()
  }
}
