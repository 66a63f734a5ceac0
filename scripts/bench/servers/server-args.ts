// The command line the bench's own servers share: --port N --root DIR, as the chapters take them,
// and --keep-alive-timeout MS for the scenario that holds 1000 idle connections open.

import type http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'

export interface ServerArgs {
  port: number
  root: string
  /** Undefined keeps node:http's default (5 s). */
  keepAliveTimeoutMs: number | undefined
}

export function readServerArgs(args: string[]): ServerArgs {
  const options: ServerArgs = { port: 8888, root: process.cwd(), keepAliveTimeoutMs: undefined }
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]
    if (flag === '--port') options.port = Number(args[++i])
    else if (flag === '--root') options.root = path.resolve(args[++i] ?? '.')
    else if (flag === '--keep-alive-timeout') options.keepAliveTimeoutMs = Number(args[++i])
    else throw new Error(`unknown option ${flag} (this server takes --port N, --root DIR and --keep-alive-timeout MS)`)
  }
  return options
}

/** A file extension's Content-Type: the few the bench serves, as every static server maps them. */
export function contentTypeFor(file: string): string {
  const types: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.json': 'application/json',
    '.txt': 'text/plain; charset=utf-8',
    '.png': 'image/png',
  }
  return types[path.extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/** The file a URL path names inside root, or undefined when it would leave the root. */
export function fileInRoot(root: string, url: string): string | undefined {
  let pathname: string
  try {
    pathname = decodeURIComponent(url.split('?', 1)[0]!)
  } catch {
    return undefined // a malformed escape names no file
  }
  if (pathname.endsWith('/')) pathname += 'index.html'
  const file = path.join(root, pathname)
  return file.startsWith(root + path.sep) ? file : undefined
}

/** Listen, apply the keep-alive timeout, and print the one line from which the harness reads the port. */
export function listen(server: http.Server, name: string, { port, root, keepAliveTimeoutMs }: ServerArgs): void {
  if (keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = keepAliveTimeoutMs
  process.once('SIGINT', () => process.exit(0)) // a normal exit: node --cpu-prof writes its profile
  server.listen(port, '127.0.0.1', () => {
    console.log(`${name} listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/, serving ${root}`)
  })
}
