// final/'s TCPServer, in process: a connection it is closing (lingering: reading and dropping what
// the client still sends) is cut off after the linger, even when the server shuts down meanwhile.

import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { otherServer } from '../../scripts/kit/index.ts'
import { BaseRequestHandler } from '../src/base-handler.ts'
import { TCPServer } from '../src/tcp-server.ts'

// A handler that answers nothing and is done at once. It cannot tell whether the client is done
// (mayStillSend is true by default), so the server lingers before it closes.
class DoneAtOnce extends BaseRequestHandler {}

let server: TCPServer | undefined
let client: net.Socket | undefined
afterEach(async () => {
  client?.destroy()
  await server?.shutdown()
})

describe.skipIf(otherServer)('TCPServer', () => {
  it('a lingering connection is still cut off after the linger when the server shuts down meanwhile', { timeout: 20_000 }, async () => {
    server = new TCPServer({ host: '127.0.0.1', port: 0 }, DoneAtOnce)
    const { port } = await server.listen()
    // allowHalfOpen: the client does not answer the server's FIN with its own. Only the server's
    // linger deadline can end this connection.
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true })
    client = socket
    socket.on('error', () => {})
    await new Promise<void>((resolve) => socket.once('end', resolve)) // the server's FIN: it is lingering
    socket.write('still sending')
    const closed = new Promise<boolean>((resolve) => socket.once('close', () => resolve(true)))
    await server.shutdown()
    // Once the server has closed its socket, the next bytes the client sends are answered with a reset.
    const poke = setInterval(() => socket.write('x'), 100)
    const giveUp = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000))
    const result = await Promise.race([closed, giveUp])
    clearInterval(poke)
    expect(result, 'the lingering connection is closed after the linger (2 s), not left open for ever').toBe(true)
  })
})
