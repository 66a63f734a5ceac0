// The writing half of an HTTP handler: the status line and the headers every response carries,
// a prepared response, and a HEAD's body dropped. Everything is queued and leaves with flush() (stream-handler.ts).
// The request being answered, and its response, are this.exchange: a new one per request.

import { Exchange } from './exchange.ts'
import { httpDateNow } from './http-date.ts'
import type { RequestHeaders } from './request-parser.ts'
import { reasonFor } from './responses.ts'
import { StreamRequestHandler } from './stream-handler.ts'

export const SERVER_NAME = 'workbook/1.0' // RFC 9110 §10.2.4: product "/" version
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
    this.exchange.status = code
    this.write(this.responseHead(code, message))
  }

  /** The status line and the headers every response carries, as one string: a prepared response starts with it. */
  responseHead(code: number, message = reasonFor(code)): string {
    // The Date, once a second (http-date.ts): formatting it per response showed in the profile.
    return `HTTP/1.1 ${code} ${message}\r\nServer: ${SERVER_NAME}\r\nDate: ${httpDateNow()}\r\n${this.connectionHeader()}`
  }

  /** RFC 9112 §9.6: say when we will close. HTTP/1.0 keeps the connection only when both say so. */
  connectionHeader(): string {
    if (!this.keepAlive || this.server.isShutdown) return 'Connection: close\r\n' // shutting down: the connection's last response
    return this.version === 'HTTP/1.0' ? 'Connection: keep-alive\r\n' : ''
  }

  /** A response prepared beforehand (a cached file's) goes out as it is, with no copy (README "What made it fast", step 2). */
  writePrepared(code: number, response: Buffer, bodyBytes: number): void {
    this.exchange.status = code
    super.write(response)
    this.exchange.headersEnded = true
    this.bytesSent += bodyBytes
  }

  writeHeader(name: string, value: string | number): void {
    this.write(`${name}: ${value}\r\n`)
  }

  endHeaders(): void {
    this.write('\r\n')
    this.exchange.headersEnded = true
  }

  /** After the headers of a HEAD response, nothing more goes out; a body's bytes are counted. */
  override write(data: string | Buffer): void {
    if (this.headOnly && this.exchange.headersEnded) return
    if (this.exchange.headersEnded) this.bytesSent += Buffer.byteLength(data)
    super.write(data)
  }

  /** RFC 9110 §10.1.1: the go-ahead a client that sent "Expect: 100-continue" waits for. */
  async writeContinue(): Promise<void> {
    super.write('HTTP/1.1 100 Continue\r\n\r\n')
    await this.flush()
  }
}
