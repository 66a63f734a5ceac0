// Reads one HTTP/1.x response out of the bytes a client received, the way a careful client does.

export interface HttpResponse {
  version: string
  status: number
  reason: string
  /** Header names in lower case; a repeated header keeps every value. */
  headers: Map<string, string[]>
  body: Buffer
  /** The exact bytes of this response, head and body. */
  raw: Buffer
}

export interface ParseOptions {
  /** The request was HEAD: the response has headers but never a body (RFC 9110 §9.3.2). */
  head?: boolean
  /** The peer has closed: a response without Content-Length ends here (RFC 9112 §6.3). */
  closed?: boolean
}

export class MalformedResponse extends Error {}

/** Parse the first response in `data`; null while more bytes are needed. */
export function parseResponse(data: Buffer, options: ParseOptions = {}): HttpResponse | null {
  const headEnd = data.indexOf('\r\n\r\n')
  if (headEnd === -1) {
    if (options.closed && data.length > 0) throw new MalformedResponse('the connection closed before the end of the response head (no empty line)')
    return null
  }
  const lines = data.subarray(0, headEnd).toString('latin1').split('\r\n')
  const statusLine = lines[0]!
  const match = /^(HTTP\/\d\.\d) (\d{3}) ?(.*)$/.exec(statusLine)
  if (!match) throw new MalformedResponse(`the status line is not "HTTP/1.1 <code> <reason>": ${JSON.stringify(statusLine)}`)
  const headers = new Map<string, string[]>()
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    if (colon <= 0) throw new MalformedResponse(`a header line has no name and colon: ${JSON.stringify(line)}`)
    const name = line.slice(0, colon).toLowerCase()
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()])
  }
  const status = Number(match[2])
  const bodyStart = headEnd + 4
  const noBody = options.head || status === 204 || status === 304 || (status >= 100 && status < 200)
  let bodyEnd: number
  const length = headers.get('content-length')
  if (noBody) {
    bodyEnd = bodyStart
  } else if (length) {
    if (length.length !== 1 || !/^\d+$/.test(length[0]!)) throw new MalformedResponse(`Content-Length is not one number: ${JSON.stringify(length)}`)
    bodyEnd = bodyStart + Number(length[0])
    if (data.length < bodyEnd) {
      if (options.closed) throw new MalformedResponse(`the connection closed after ${data.length - bodyStart} of the ${length[0]} body bytes that Content-Length announced`)
      return null
    }
  } else if (options.closed) {
    bodyEnd = data.length
  } else {
    return null
  }
  return {
    version: match[1]!,
    status,
    reason: match[3]!,
    headers,
    body: data.subarray(bodyStart, bodyEnd),
    raw: data.subarray(0, bodyEnd),
  }
}

/** The single value of a header, or undefined; several values are joined as a list would be. */
export function header(response: HttpResponse, name: string): string | undefined {
  return response.headers.get(name.toLowerCase())?.join(', ')
}
