// The blog's BaseRequestHandler: one object per connection, created by the server, asked to handle().

import type net from 'node:net'
import type { TCPServer } from './tcp-server.ts'

export class BaseRequestHandler {
  readonly server: TCPServer
  readonly request: net.Socket
  readonly clientAddress: string

  constructor(server: TCPServer, request: net.Socket, clientAddress: string) {
    this.server = server
    this.request = request
    this.clientAddress = clientAddress
  }

  async handle(): Promise<void> {}

  /** Called by the server's deadline sweep: end whatever waited past its deadline. */
  checkDeadlines(_now: number): void {}

  /** Called at shutdown: close the connection now if it is waiting, idle, for its next request. */
  closeIfIdle(): void {}

  /** Once handle() is done: may the client still be sending? Then the server lingers (closeRequest). */
  mayStillSend(): boolean {
    return true
  }
}

export type HandlerClass = new (server: TCPServer, request: net.Socket, clientAddress: string) => BaseRequestHandler
