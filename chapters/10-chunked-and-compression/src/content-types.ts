// Content-Type by file extension. Text types say their charset: without it a browser guesses.

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', // RFC 9239
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.woff2': 'font/woff2',
}

export function contentTypeFor(filePath: string): string {
  const dot = filePath.lastIndexOf('.')
  const extension = dot > filePath.lastIndexOf('/') ? filePath.slice(dot).toLowerCase() : ''
  return TYPES[extension] ?? 'application/octet-stream'
}
