// One request and its response: everything a handler knows of the request it is answering. A
// connection now carries many requests, so a new Exchange is made for each: nothing of one request
// can carry over to the next, and there is no list of fields to reset by hand.

import { RequestHeaders } from './request-parser.ts'

const NO_HEADERS = new RequestHeaders()
const EMPTY = Buffer.alloc(0)

export class Exchange {
  // The request, filled in as it is read (read-request.ts).
  /** The request line as the client sent it; '' until it has come (the connection is idle). */
  requestLine = ''
  method = ''
  /** The request target as sent: a path and a query, "*", or an absolute URL (RFC 9112 §3.2). */
  target = ''
  /** The target's path and query, split once (splitTarget in static-files.ts). */
  pathname = ''
  query = ''
  version = ''
  headers = NO_HEADERS // shared until the request's own are read
  body: Buffer = EMPTY
  /** HEAD: the response is written as for GET, and its body is dropped. */
  headOnly = false
  /** Keep the connection open for another request after this response (RFC 9112 §9.3). */
  keepAlive = false
  /** The whole request has been read: the stream is positioned at the next one. */
  complete = false

  // The response, as it is written (response-writer.ts).
  /** The head is written: a second status line would garble it. */
  headersEnded = false
}
