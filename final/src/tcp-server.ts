// The blog's TCPServer: bind, listen, then one loop that takes a connection and hands it on, so
// that many connections are handled at once; with a bound on how many, and a timeout for each.
// Unlike the chapters', the loop is Node's own: each accepted connection arrives as an event.
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
  // allowHalfOpen: a client's FIN means it sends no more, not that it wants no answer (RFC 9293 §3.6).
  private readonly listener = net.createServer({ allowHalfOpen: true, noDelay: true })
  private readonly stopped: Promise<void>
  private stop!: () => void

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
    this.stopped = new Promise((resolve) => (this.stop = resolve))
    this.listener.on('connection', (socket) => this.acceptRequest(socket))
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

  /**
   * The accept loop is Node's: it emits 'connection' for each accepted socket, and the loop's body
   * runs there (acceptRequest). Resolves once the server shuts down. A queue of paused sockets cost
   * a promise per connection (README "What made it fast", step 5).
   */
  serveForever(): Promise<void> {
    return this.stopped
  }

  /** The loop's body: within the bound, start a handler for the connection; over it, refuse. */
  acceptRequest(socket: net.Socket): void {
    if (this.isShutdown) socket.destroy()
    else if (this.active.size >= this.maxConnections) this.refuseRequest(socket)
    else this.active.set(socket, this.processRequest(socket)) // no await: the loop goes on accepting
  }

  /** Over the bound: close at once. An HTTP server answers 503 first. */
  refuseRequest(socket: net.Socket): void {
    socket.destroy()
  }

  /** One async function from accept to close, where then, catch and finally made three promises (step 5). */
  async processRequest(socket: net.Socket): Promise<void> {
    // A client that resets the connection must not crash the server: note it and carry on.
    socket.on('error', (error) => console.error(`connection error: ${error.message}`))
    // No socket.setTimeout: a timer per connection halved the new-connection ratio (1.02x -> 1.37x without, step 5).
    // The peer's address is a getpeername() system call; only the access log wants it (step 5).
    const handler = new this.HandlerClass(this, socket, this.accessLog ? `${socket.remoteAddress}:${socket.remotePort}` : '-')
    this.handlers.add(handler)
    try {
      await handler.handle()
    } catch (error) {
      if (!socket.destroyed) console.error('handler failed:', error)
      socket.destroy()
    } finally {
      this.handlers.delete(handler)
      this.active.delete(socket)
    }
    if (handler.mayStillSend()) this.closeRequest(socket)
    else this.closeNow(socket)
  }

  /** close() without lingering: the client sends no more, and the kernel still sends our reply (step 6: 1.29x -> 1.69x). */
  private closeNow(socket: net.Socket): void {
    if (socket.destroyed) return
    if (socket.writableLength > 0) return this.closeRequest(socket) // part of the reply is still in Node's hands: end() waits for it
    socket.destroy()
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
    if (socket.destroyed) return
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
    for (const handler of this.handlers) handler.closeIfIdle() // no request of theirs is in flight
    this.stop()
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)))
    await Promise.race([Promise.allSettled(this.active.values()), deadline])
    clearTimeout(timer)
    clearInterval(this.sweep)
    for (const socket of this.active.keys()) socket.destroy() // past the deadline: cut off
  }
}
