// The blog's TCPServer: bind, listen, then one loop that takes a connection and hands it on, so
// that many connections are handled at once; with a bound on how many, and a timeout for each.
// A connection may carry many requests; between them it waits, idle, under its own timeout.
// Every wait for a client has a deadline, and one timer per server looks for those that passed.

import net from 'node:net'
import type { BaseRequestHandler, HandlerClass } from './base-handler.ts'
import {
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  LINGER_MS,
  MAX_BODY_BYTES,
  MAX_CONNECTIONS,
  MAX_HEADER_BYTES,
  MAX_HEADER_FIELDS,
  MAX_REQUEST_LINE_BYTES,
  REQUEST_TIMEOUT_MS,
  SWEEP_INTERVAL_MS,
  type ConnectionLimits,
} from './limits.ts'

export type { ConnectionLimits }

export interface ServerAddress {
  host: string
  port: number
}

export class TCPServer {
  readonly serverAddress: ServerAddress
  readonly HandlerClass: HandlerClass
  /** Where one line per request goes (the access log); undefined for none. */
  accessLog: ((line: string) => void) | undefined
  isShutdown = false
  readonly maxConnections: number
  readonly requestTimeoutMs: number
  readonly keepAliveTimeoutMs: number
  readonly headersTimeoutMs: number
  readonly maxRequestLineBytes: number
  readonly maxHeaderBytes: number
  readonly maxHeaderFields: number
  readonly maxBodyBytes: number
  /** The connections being handled now, each with the promise of its handler. */
  private readonly active = new Map<net.Socket, Promise<void>>()
  /** The handlers at work, whose deadlines the sweep checks. */
  private readonly handlers = new Set<BaseRequestHandler>()
  private sweep: NodeJS.Timeout | undefined
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
    // The head is part of the request: its deadline is never later than the request's (as Node's http.Server).
    this.headersTimeoutMs = Math.min(limits.headersTimeoutMs ?? HEADERS_TIMEOUT_MS, this.requestTimeoutMs)
    this.maxRequestLineBytes = limits.maxRequestLineBytes ?? MAX_REQUEST_LINE_BYTES
    this.maxHeaderBytes = limits.maxHeaderBytes ?? MAX_HEADER_BYTES
    this.maxHeaderFields = limits.maxHeaderFields ?? MAX_HEADER_FIELDS
    this.maxBodyBytes = limits.maxBodyBytes ?? MAX_BODY_BYTES
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
        this.startDeadlineSweep()
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
    socket.setTimeout(this.requestTimeoutMs) // a client that will not read our reply is cut off
    const handler = new this.HandlerClass(this, socket, `${socket.remoteAddress}:${socket.remotePort}`)
    this.handlers.add(handler)
    try {
      await handler.handle()
    } finally {
      this.handlers.delete(handler)
    }
    this.closeRequest(socket)
  }

  /**
   * One timer for the whole server: every few moments, each handler ends the wait that is past its
   * deadline. An idle timer per socket would not do: any byte resets it, so a client that sends
   * one byte every few seconds would hold its connection for ever (slowloris). Node runs timers
   * before it reads the sockets: after a stall (a starved host, a long GC pause) bytes that came
   * in time may still be unread, so the sweep looks one turn later, once they are read.
   */
  private startDeadlineSweep(): void {
    this.sweep = setInterval(() => setImmediate(() => {
      const now = Date.now()
      for (const handler of this.handlers) handler.checkDeadlines(now)
    }), SWEEP_INTERVAL_MS)
    this.sweep.unref() // the listening socket, not the sweep, keeps the process running
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
    for (const handler of this.handlers) handler.closeIfIdle() // no request of theirs is in flight
    this.wakeAccept?.()
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)))
    await Promise.race([Promise.allSettled(this.active.values()), deadline])
    clearTimeout(timer)
    clearInterval(this.sweep)
    for (const socket of this.active.keys()) socket.destroy() // past the deadline: cut off
  }
}
