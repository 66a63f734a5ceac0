// The blog's SimpleHTTPServer: a TCPServer that also knows its document root, its users and
// who is logged in.

import { existsSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import type { HandlerClass } from './base-handler.ts'
import { SessionStore } from './sessions.ts'
import { TCPServer, type ServerAddress } from './tcp-server.ts'
import type { UserStore } from './users.ts'

export class SimpleHTTPServer extends TCPServer {
  /** The document root, absolute and with symbolic links resolved, so paths can be compared. */
  readonly root: string
  readonly users: UserStore
  readonly sessions = new SessionStore()

  constructor(serverAddress: ServerAddress, HandlerClass: HandlerClass, root: string, users: UserStore) {
    super(serverAddress, HandlerClass)
    const resolved = path.resolve(root)
    if (!existsSync(resolved) || !statSync(resolved).isDirectory()) throw new Error(`the document root ${root} is not a folder`)
    this.root = realpathSync(resolved)
    this.users = users
  }
}
