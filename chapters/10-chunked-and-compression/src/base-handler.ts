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
}

export type HandlerClass = new (server: TCPServer, request: net.Socket, clientAddress: string) => BaseRequestHandler
