// The blog's SimpleHTTPServer: a TCPServer that also knows its document root, its users, who is
// logged in, and the pool of worker threads that checks passwords.

import { existsSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import type net from 'node:net'
import type { HandlerClass } from './base-handler.ts'
import { RETRY_AFTER_SECONDS, SERVER_NAME } from './base-http-handler.ts'
import { FileCache } from './file-cache.ts'
import { httpDateNow } from './http-date.ts'
import { SessionStore } from './sessions.ts'
import { TCPServer, type ConnectionLimits, type ServerAddress } from './tcp-server.ts'
import type { UserStore } from './users.ts'
import type { WorkerPool } from './worker-pool.ts'

const BUSY_BODY = 'The server is handling as many connections as it can; try again in a moment.\n'
let busy = { date: '', response: Buffer.alloc(0) }

/**
 * The whole 503 for a connection over the bound, prebuilt: only its Date changes, so it is built
 * once a second, and a server swamped with connections spends nothing per refusal but a write.
 */
function busyResponse(): Buffer {
  const date = httpDateNow()
  if (busy.date !== date) {
    const head =
      `HTTP/1.1 503 Service Unavailable\r\nServer: ${SERVER_NAME}\r\nDate: ${date}\r\nRetry-After: ${RETRY_AFTER_SECONDS}\r\n` +
      `Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(BUSY_BODY)}\r\n\r\n`
    busy = { date, response: Buffer.from(head + BUSY_BODY, 'utf8') }
  }
  return busy.response
}

export class SimpleHTTPServer extends TCPServer {
  /** The document root, absolute and with symbolic links resolved, so paths can be compared. */
  readonly root: string
  readonly users: UserStore
  readonly sessions = new SessionStore()
  /** Small files in memory, each checked against the disk at every hit (file-cache.ts). */
  readonly files = new FileCache()
  readonly pool: WorkerPool
  /** Sent as Cache-Control with every file when set (--cache-control); nothing by default. */
  cacheControl: string | undefined

  constructor(serverAddress: ServerAddress, HandlerClass: HandlerClass, root: string, users: UserStore, pool: WorkerPool, limits: ConnectionLimits = {}) {
    super(serverAddress, HandlerClass, limits)
    const resolved = path.resolve(root)
    if (!existsSync(resolved) || !statSync(resolved).isDirectory()) throw new Error(`the document root ${root} is not a folder`)
    this.root = realpathSync(resolved)
    this.users = users
    this.pool = pool
  }

  /** Over the connection bound: a complete 503, written before reading a byte, then close. */
  override refuseRequest(socket: net.Socket): void {
    socket.on('error', () => {}) // a refused client that resets is no news
    socket.write(busyResponse())
    this.closeRequest(socket)
  }
}
