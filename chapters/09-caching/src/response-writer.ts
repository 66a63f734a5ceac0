// The writing half of an HTTP handler: the status line and the headers every response carries,
// and a HEAD's body dropped. Everything is queued and leaves with flush() (stream-handler.ts).
// The request being answered, and its response, are this.exchange: a new one per request.

import { Exchange } from './exchange.ts'
import { formatHttpDate } from './http-date.ts'
import type { RequestHeaders } from './request-parser.ts'
import { reasonFor } from './responses.ts'
import { StreamRequestHandler } from './stream-handler.ts'

export const SERVER_NAME = 'workbook/0.4' // RFC 9110 §10.2.4: product "/" version
export const RETRY_AFTER_SECONDS = 1 // what a 503 asks the client to wait before it tries again

export class ResponseWriter extends StreamRequestHandler {
  /** The request being answered, and its response (exchange.ts). */
  exchange = new Exchange()

  // The names the earlier chapters gave the request's parts, read from the exchange.
  get requestLine(): string { return this.exchange.requestLine }
  get method(): string { return this.exchange.method }
  get path(): string { return this.exchange.target }
  get pathname(): string { return this.exchange.pathname }
  get query(): string { return this.exchange.query }
  get version(): string { return this.exchange.version }
  get headers(): RequestHeaders { return this.exchange.headers }
  get body(): Buffer { return this.exchange.body }
  get headOnly(): boolean { return this.exchange.headOnly }
  get keepAlive(): boolean { return this.exchange.keepAlive }

  /** The status line, and the headers every response carries. */
  writeResponse(code: number, message = reasonFor(code)): void {
    this.write(`HTTP/1.1 ${code} ${message}\r\n`)
    this.writeHeader('Server', SERVER_NAME)
    this.writeHeader('Date', formatHttpDate())
    if (this.server.isShutdown) this.exchange.keepAlive = false // shutting down: this is the connection's last response
    // RFC 9112 §9.6: say when we will close. HTTP/1.0 keeps the connection only when both say so.
    if (!this.keepAlive) this.writeHeader('Connection', 'close')
    else if (this.version === 'HTTP/1.0') this.writeHeader('Connection', 'keep-alive')
  }

  writeHeader(name: string, value: string | number): void {
    this.write(`${name}: ${value}\r\n`)
  }

  endHeaders(): void {
    this.write('\r\n')
    this.exchange.headersEnded = true
  }

  /** After the headers of a HEAD response, nothing more goes out. */
  override write(data: string | Buffer): void {
    if (this.headOnly && this.exchange.headersEnded) return
    super.write(data)
  }
}
