// The handler this chapter's server runs: GET answers a small page, POST echoes its body.

import { BaseHTTPRequestHandler } from './base-http-handler.ts'

const HELLO_PAGE = '<!doctype html>\n<title>Hello</title>\n<h1>Hello, World</h1>\n'

export class HelloHandler extends BaseHTTPRequestHandler {
  doGET(): void {
    this.writeResponse(200)
    this.writeHeader('Content-Length', Buffer.byteLength(HELLO_PAGE))
    this.endHeaders()
    this.write(HELLO_PAGE)
  }

  /** Shows what the parser read: the body comes back as it was sent. */
  doPOST(): void {
    this.writeResponse(200)
    this.writeHeader('Content-Length', this.body.length)
    this.endHeaders()
    this.write(this.body)
  }
}
