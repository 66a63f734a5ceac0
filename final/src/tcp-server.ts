// The blog's TCPServer: bind, listen, then one loop that takes a connection and hands it on, so
// that many connections are handled at once; with a bound on how many, and graceful shutdown.
// Unlike chapter 07's, this loop is Node's own: each accepted connection arrives as an event.

import net from 'node:net'
import type { BaseRequestHandler, HandlerClass } from './base-handler.ts'
import { LINGER_MS, LISTEN_BACKLOG, MAX_SWEEP_INTERVAL_MS, SWEEPS_PER_TIMEOUT, resolveLimits, type Limits } from './limits.ts'

/** For the sockets whose errors are no news: a client that resets must not crash the server. */
export function ignoreError(): void {}

interface Connection {
  /** Undefined for a connection refused over the bound. */
  handler: BaseRequestHandler | undefined
  /** Settles when the handler is finished with the connection. */
  done: Promise<void>
  /** Once we are closing it: when it is cut off if the client goes on sending. */
  closeBy: number | undefined
}

export interface ServerAddress {
  host: string
  port: number
}

export class TCPServer {
  readonly serverAddress: ServerAddress
  readonly HandlerClass: HandlerClass
  readonly limits: Limits
  /** Where one line per request goes (the access log); undefined for none. */
  accessLog: ((line: string) => void) | undefined
  isShutdown = false
  // allowHalfOpen: a client's FIN means it sends no more, not that it wants no answer (RFC 9293 §3.6).
  private readonly listener = net.createServer({ allowHalfOpen: true, noDelay: true })
  /** Every open connection, from accept to close: the ones being handled and the ones closing. */
  private readonly active = new Map<net.Socket, Connection>()
  private readonly stopped: Promise<void>
  private stop!: () => void
  private sweep: NodeJS.Timeout | undefined

  constructor(serverAddress: ServerAddress, HandlerClass: HandlerClass, limits: Partial<Limits> = {}) {
    this.serverAddress = serverAddress
    this.HandlerClass = HandlerClass
    this.limits = resolveLimits(limits)
    this.stopped = new Promise((resolve) => (this.stop = resolve))
    this.listener.on('connection', (socket) => this.acceptRequest(socket))
  }

  /** bind() and listen(): after this the kernel queues connections for us. */
  listen(): Promise<ServerAddress> {
    return new Promise((resolve, reject) => {
      this.listener.once('error', reject)
      this.listener.listen({ port: this.serverAddress.port, host: this.serverAddress.host, backlog: LISTEN_BACKLOG }, () => {
        this.listener.off('error', reject)
        this.startDeadlineSweep()
        const { port } = this.listener.address() as net.AddressInfo
        resolve({ host: this.serverAddress.host, port })
      })
    })
  }

  /**
   * The blog's accept loop, which Node's event loop runs for us: it calls accept() as connections
   * arrive and emits 'connection' for each, where the loop's body runs (acceptRequest). Resolves
   * once the server shuts down.
   */
  serveForever(): Promise<void> {
    return this.stopped
  }

  /** The loop's body: within the bound, start a handler for the connection; over it, refuse. */
  acceptRequest(socket: net.Socket): void {
    if (this.isShutdown) socket.destroy()
    else if (this.active.size >= this.limits.maxConnections) this.refuseRequest(socket)
    else this.processRequest(socket)
  }

  /** Start a handler for the connection; it runs while the loop accepts the next one. */
  processRequest(socket: net.Socket): void {
    // A client that resets the connection must not crash the server: it just ends its handler.
    socket.on('error', ignoreError)
    // Asking for the peer's address is a system call (getpeername); only the access log wants it (README "What made it fast", step 7).
    const handler = new this.HandlerClass(this, socket, this.accessLog ? (socket.remoteAddress ?? '-') : '-')
    this.track(socket, { handler, done: this.finishRequest(socket, handler), closeBy: undefined })
  }

  /** Count the connection as open until its socket closes. */
  private track(socket: net.Socket, connection: Connection): void {
    this.active.set(socket, connection)
    socket.on('close', () => this.active.delete(socket))
  }

  /** Wait for the handler to finish with the connection, then close it. */
  private async finishRequest(socket: net.Socket, handler: BaseRequestHandler): Promise<void> {
    try {
      await handler.handle()
    } catch (error) {
      if (!socket.destroyed) console.error('handler failed:', error)
      socket.destroy()
    }
    if (handler.mayStillSend()) this.closeRequest(socket)
    else this.closeNow(socket)
  }

  /**
   * close() at once, without shutdown() and without waiting for the client's FIN: the client has
   * nothing more to send, so the close cannot turn into a reset, and the kernel sends what it
   * still holds of our reply before its FIN. With a new connection per request this took final/
   * from 1.29x to 1.69x the careful node:http server (README "What made it fast", step 8).
   */
  private closeNow(socket: net.Socket): void {
    if (socket.destroyed) return
    if (socket.writableLength > 0) return this.closeRequest(socket) // part of the reply is still in Node's hands: end() waits for it
    socket.destroy()
  }

  /** Over the bound: close at once. An HTTP server answers 503 first. */
  refuseRequest(socket: net.Socket): void {
    socket.destroy()
  }

  /** Send FIN after the last byte written (the blog's shutdown(SHUT_WR) then close). */
  closeRequest(socket: net.Socket): void {
    if (socket.destroyed) return
    socket.end()
    // Drop whatever else the client sends: closing with unread bytes would reset the connection,
    // and a reset can destroy our reply before the client has read it. But not for ever: a
    // client that keeps sending (a huge upload we refused) is cut off after LINGER_MS.
    socket.resume()
    const closeBy = Date.now() + LINGER_MS
    const connection = this.active.get(socket)
    if (connection) connection.closeBy = closeBy
    else this.track(socket, { handler: undefined, done: Promise.resolve(), closeBy }) // a refused one
  }

  /**
   * Every timeout of every connection is a deadline, a number, checked here a few times per
   * timeout: no timer per connection to create, move and cancel on each request, however many
   * connections sit idle. (Node's http.Server sweeps its connections the same way.) A timer per
   * wait had cost a new timer list per duration, and a move of the socket's idle timer on every
   * read and write (README "What made it fast", step 4).
   */
  private startDeadlineSweep(): void {
    const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = this.limits
    const shortest = Math.min(headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, LINGER_MS)
    const interval = Math.max(1, Math.min(MAX_SWEEP_INTERVAL_MS, Math.floor(shortest / SWEEPS_PER_TIMEOUT)))
    this.sweep = setInterval(() => {
      const now = Date.now()
      for (const [socket, { handler, closeBy }] of this.active) {
        if (closeBy === undefined) handler?.checkDeadlines(now)
        else if (now >= closeBy) socket.destroy()
      }
      if (this.isShutdown && this.active.size === 0) clearInterval(this.sweep) // the last one has closed
    }, interval)
    this.sweep.unref() // the listening socket, not the sweep, keeps the process running
  }

  /** Open connections: those being handled and those closing. */
  get connections(): number {
    return this.active.size
  }

  /**
   * Graceful: stop accepting, close connections that wait idle between requests, let requests in
   * flight finish for up to `deadlineMs`, then cut off whatever is left.
   */
  async shutdown(deadlineMs = 0): Promise<void> {
    this.isShutdown = true
    this.listener.close()
    this.stop()
    // The sweep goes on while connections drain, and stops once the last has closed: their
    // deadlines still hold, the linger of those closing included.
    for (const { handler } of this.active.values()) handler?.closeIfIdle()
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)))
    await Promise.race([Promise.allSettled([...this.active.values()].map(({ done }) => done)), deadline])
    clearTimeout(timer)
    for (const [socket, { closeBy }] of this.active) if (closeBy === undefined) socket.destroy() // past the deadline: cut off
  }
}
