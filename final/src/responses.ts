// Status codes: the reason phrase for the status line (RFC 9110 §15) and a sentence for error pages.

export const RESPONSES: Record<number, [reason: string, explanation: string]> = {
  200: ['OK', 'The request succeeded.'],
  201: ['Created', 'A new resource was created.'],
  204: ['No Content', 'The request succeeded and there is nothing to send back.'],
  206: ['Partial Content', 'Here is the part of the resource that was asked for.'],
  301: ['Moved Permanently', 'The resource has a new address for good.'],
  302: ['Found', 'The resource is at another address for now.'],
  304: ['Not Modified', 'The copy you have is still current.'],
  307: ['Temporary Redirect', 'Repeat the request at another address, this time.'],
  308: ['Permanent Redirect', 'Repeat the request at another address, from now on.'],
  400: ['Bad Request', 'The server could not understand the request.'],
  401: ['Unauthorized', 'You need to log in first.'],
  403: ['Forbidden', 'You may not have this, even when logged in.'],
  404: ['Not Found', 'Nothing here answers to that path.'],
  405: ['Method Not Allowed', 'This resource does not accept that method; see the Allow header.'],
  408: ['Request Timeout', 'The request took too long to arrive.'],
  411: ['Length Required', 'This request needs a Content-Length header.'],
  413: ['Content Too Large', 'The request body is larger than the server accepts.'],
  414: ['URI Too Long', 'The request target is longer than the server accepts.'],
  415: ['Unsupported Media Type', 'The server does not accept a body of that type here.'],
  416: ['Range Not Satisfiable', 'The file has none of the bytes the range asks for; see Content-Range for its length.'],
  417: ['Expectation Failed', 'The server cannot meet what the Expect header asks.'],
  431: ['Request Header Fields Too Large', 'The request headers are larger than the server accepts.'],
  500: ['Internal Server Error', 'The server failed while answering; it is not your fault.'],
  501: ['Not Implemented', 'The server does not know how to do that.'],
  503: ['Service Unavailable', 'The server is too busy just now; try again shortly.'],
  505: ['HTTP Version Not Supported', 'This server speaks HTTP/1.0 and HTTP/1.1 only.'],
}

export function reasonFor(code: number): string {
  return RESPONSES[code]?.[0] ?? 'Unknown'
}

/** A small HTML page for an error; the message is escaped because it can quote the request. */
export function errorPage(code: number, message: string): string {
  const [reason, explanation] = RESPONSES[code] ?? ['Error', '']
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${code} ${reason}</title></head>
<body>
<h1>${code} ${reason}</h1>
<p>${escapeHtml(message)}</p>
<p>${explanation}</p>
</body>
</html>
`
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
