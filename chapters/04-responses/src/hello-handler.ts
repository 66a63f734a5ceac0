// The handler this chapter's server runs: GET / answers a small page, POST /echo echoes its body.

import { BaseHTTPRequestHandler } from './base-http-handler.ts'
import { HttpError } from './http-error.ts'

const HELLO_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Hello</title></head>
<body><h1>Hello, World · 你好，世界</h1></body>
</html>
`

export class HelloHandler extends BaseHTTPRequestHandler {
  doGET(): void {
    if (this.path !== '/') throw new HttpError(404, `nothing at ${this.path}`)
    this.writeResponse(200)
    this.writeHeader('Content-Type', 'text/html; charset=utf-8')
    this.writeHeader('Content-Length', Buffer.byteLength(HELLO_PAGE)) // bytes, not characters
    this.endHeaders()
    this.write(HELLO_PAGE)
  }

  /** Shows what the parser read: the body comes back as it was sent. */
  doPOST(): void {
    if (this.path !== '/echo') throw new HttpError(404, `nothing at ${this.path}; POST to /echo`)
    this.writeResponse(200)
    this.writeHeader('Content-Type', this.headers.get('content-type') ?? 'application/octet-stream')
    this.writeHeader('Content-Length', this.body.length)
    this.endHeaders()
    this.write(this.body)
  }
}
