// The blog's TCPServer: bind, listen, then one loop that takes a connection and hands it on, so
// that many connections are handled at once; with a bound on how many, and a timeout for each.
// A connection may carry many requests; between them it waits, idle, under its own timeout.

import net from 'node:net'
import type { HandlerClass } from './base-handler.ts'

const LINGER_MS = 2_000 // how long a closing connection may go on sending, as nginx's lingering_timeout
export const MAX_CONNECTIONS = 1_000 // connections handled at once; more are refused
export const REQUEST_TIMEOUT_MS = 30_000 // 30 s without a byte from the client, and we give up on it
export const KEEP_ALIVE_TIMEOUT_MS = 5_000 // 5 s idle between requests, and a kept-alive connection is closed

export interface ConnectionLimits {
  maxConnections?: number
  /** Idle time allowed while a request is being read, in milliseconds. */
  requestTimeoutMs?: number
  /** Idle time allowed between two requests on one connection, in milliseconds. */
  keepAliveTimeoutMs?: number
}

export interface ServerAddress {
  host: string
  port: number
}

export class TCPServer {
  readonly serverAddress: ServerAddress
  readonly HandlerClass: HandlerClass
  isShutdown = false
  readonly maxConnections: number
  readonly requestTimeoutMs: number
  readonly keepAliveTimeoutMs: number
  /** The connections being handled now, each with the promise of its handler. */
  private readonly active = new Map<net.Socket, Promise<void>>()
  /** Kept-alive connections waiting for their next request: a shutdown closes them at once. */
  readonly idle = new Set<net.Socket>()
  // Node accepts connections as they arrive; paused, they wait here until the loop takes them.
  // allowHalfOpen: a client's FIN means it sends no more, not that it wants no answer (RFC 9293 §3.6).
  private readonly listener = net.createServer({ pauseOnConnect: true, allowHalfOpen: true })
  private readonly accepted: net.Socket[] = []
  private wakeAccept: (() => void) | undefined

  constructor(serverAddress: ServerAddress, HandlerClass: HandlerClass, limits: ConnectionLimits = {}) {
    this.serverAddress = serverAddress
    this.HandlerClass = HandlerClass
    this.maxConnections = limits.maxConnections ?? MAX_CONNECTIONS
    this.requestTimeoutMs = limits.requestTimeoutMs ?? REQUEST_TIMEOUT_MS
    this.keepAliveTimeoutMs = limits.keepAliveTimeoutMs ?? KEEP_ALIVE_TIMEOUT_MS
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

  /** The accept loop: take a connection, start its handler, and go straight back to accept. */
  async serveForever(): Promise<void> {
    while (!this.isShutdown) {
      const socket = await this.getRequest()
      if (!socket) break
      if (this.active.size >= this.maxConnections) {
        this.refuseRequest(socket)
        continue
      }
      // No await: this handler runs while the loop accepts the next connection.
      const handling: Promise<void> = this.processRequest(socket)
        .catch((error: unknown) => {
          console.error('handler failed:', error)
          socket.destroy()
        })
        .finally(() => {
          this.active.delete(socket)
          this.idle.delete(socket)
        })
      this.active.set(socket, handling)
    }
  }

  /** Over the bound: close at once. An HTTP server answers 503 first. */
  refuseRequest(socket: net.Socket): void {
    socket.destroy()
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
    socket.setTimeout(this.requestTimeoutMs) // the reader turns a timeout into a 408
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

  /**
   * Graceful: stop accepting, close the connections that wait idle between requests, let the
   * requests in flight finish for up to `deadlineMs`, then cut off whatever is left. Resolves
   * when no handler is running.
   */
  async shutdown(deadlineMs = 0): Promise<void> {
    this.isShutdown = true
    this.listener.close()
    for (const socket of this.accepted.splice(0)) socket.destroy()
    for (const socket of this.idle) socket.destroy() // no request of theirs is in flight
    this.wakeAccept?.()
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)))
    await Promise.race([Promise.allSettled(this.active.values()), deadline])
    clearTimeout(timer)
    for (const socket of this.active.keys()) socket.destroy() // past the deadline: cut off
  }
}
