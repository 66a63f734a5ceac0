// Unit tests of the reference SocketReader's timeout (skipped when WORKBOOK_SERVER tests your own
// server). Chapter 02's tests cover its reading; these, what this chapter added: ReadTimeout.

import type net from 'node:net'
import { describe, expect, it } from 'vitest'
import { otherServer, socketPair } from '../../../scripts/kit/index.ts'
import { ReadTimeout, SocketReader } from '../src/socket-reader.ts'

const TIMEOUT_MS = 100

/** A connected pair with the server side's timeout set: the reader there, the raw client socket. */
async function pair(): Promise<{ reader: SocketReader; client: net.Socket }> {
  const { server, client } = await socketPair()
  server.setTimeout(TIMEOUT_MS)
  return { reader: new SocketReader(server), client }
}

/**
 * Write, then keep this process busy past the timeout before Node has read the bytes back: a
 * stall, as a starved host or a long GC pause makes one. In the next turn of the event loop,
 * Node runs its expired timers first and only then reads the socket.
 */
function writeThenStall(client: net.Socket, data: string): Promise<void> {
  return new Promise((resolve) => setImmediate(() => {
    client.write(data)
    const until = Date.now() + 3 * TIMEOUT_MS
    while (Date.now() < until); // busy: no timer fires and no socket is read meanwhile
    resolve()
  }))
}

describe.skipIf(otherServer)('SocketReader timeout', () => {
  it('a client that sends nothing more ends the wait in ReadTimeout', async () => {
    const { reader, client } = await pair()
    client.write('GET / HTTP/1.1\r\n')
    expect((await reader.readLine(100)).toString()).toBe('GET / HTTP/1.1\r\n')
    await expect(reader.readLine(100)).rejects.toBeInstanceOf(ReadTimeout)
  })

  it('a timeout that fires after a stall, with the next line already arrived, is no timeout', async () => {
    const { reader, client } = await pair()
    client.write('GET / HTTP/1.1\r\n')
    expect((await reader.readLine(100)).toString()).toBe('GET / HTTP/1.1\r\n')
    const next = reader.readLine(100)
    await writeThenStall(client, 'Host: localhost\r\n')
    expect((await next).toString(), 'the line came before the timeout; only the server stood still').toBe('Host: localhost\r\n')
  })
})
