// Unit tests of final/'s SocketReader, whose takeLineText() takes a line by moving an offset into
// the buffer instead of cutting it (README "What made it fast", step 3): every other method must
// see the bytes after the lines taken, and nothing else. Skipped when WORKBOOK_SERVER tests your own server.

import type net from 'node:net'
import { describe, expect, it } from 'vitest'
import { otherServer, socketPair } from '../../scripts/kit/index.ts'
import { LineTooLong, SocketReader } from '../src/socket-reader.ts'

/** A connected pair: the reader on the server side, the raw socket on the client side. */
async function pair(): Promise<{ reader: SocketReader; client: net.Socket }> {
  const { server, client } = await socketPair()
  return { reader: new SocketReader(server), client }
}

/** Resolves once the reader holds at least `bytes` unread bytes. */
async function buffered(reader: SocketReader, bytes: number): Promise<void> {
  while (reader.buffered < bytes) await reader.waitForData().then(() => new Promise((resolve) => setImmediate(resolve)))
}

describe.skipIf(otherServer)('final SocketReader', () => {
  it('lines taken as text, then a body with read(), then the next request, all from one write', async () => {
    const { reader, client } = await pair()
    const wire = 'POST /a HTTP/1.1\r\nContent-Length: 4\r\n\r\nBODYGET /b HTTP/1.1\r\n\r\n'
    client.write(wire)
    await buffered(reader, wire.length)
    expect(reader.takeLineText(100)).toBe('POST /a HTTP/1.1\r\n')
    expect(reader.takeLineText(100)).toBe('Content-Length: 4\r\n')
    expect(reader.takeLineText(100)).toBe('\r\n')
    expect(reader.buffered).toBe('BODYGET /b HTTP/1.1\r\n\r\n'.length)
    expect(reader.peek()).toBe('B'.charCodeAt(0))
    expect((await reader.read(4)).toString()).toBe('BODY')
    expect(reader.peek()).toBe('G'.charCodeAt(0))
    expect(reader.takeLineText(100)).toBe('GET /b HTTP/1.1\r\n')
    expect((await reader.readLine(100)).toString()).toBe('\r\n')
    expect(reader.buffered).toBe(0)
  })

  it('a line not all here is null; readLine() then waits for its end, after the lines already taken', async () => {
    const { reader, client } = await pair()
    client.write('GET / HTTP/1.1\r\nHost: exa')
    await buffered(reader, 25)
    expect(reader.takeLineText(100)).toBe('GET / HTTP/1.1\r\n')
    expect(reader.takeLineText(100)).toBeNull()
    const line = reader.readLine(100)
    setTimeout(() => client.write('mple.com\r\n\r\n'), 10)
    expect((await line).toString()).toBe('Host: example.com\r\n')
    expect(reader.takeLineText(100)).toBe('\r\n')
  })

  it('a line over the limit is null, and readLine() refuses it', async () => {
    const { reader, client } = await pair()
    client.write(`A: ${'x'.repeat(40)}\r\n`)
    await buffered(reader, 45)
    expect(reader.takeLineText(10)).toBeNull()
    await expect(reader.readLine(10)).rejects.toBeInstanceOf(LineTooLong)
  })

  it('once every line is taken, waitForData() waits for new bytes instead of answering at once', async () => {
    const { reader, client } = await pair()
    client.write('GET / HTTP/1.1\r\n\r\n')
    await buffered(reader, 18)
    expect(reader.takeLineText(100)).toBe('GET / HTTP/1.1\r\n')
    expect(reader.takeLineText(100)).toBe('\r\n')
    expect(reader.buffered).toBe(0)
    expect(reader.peek()).toBeUndefined()
    const order: string[] = []
    const waiting = reader.waitForData().then((more) => order.push(`data ${more}`))
    await new Promise((resolve) => setTimeout(resolve, 20))
    order.push('written')
    client.write('GET /next HTTP/1.1\r\n\r\n')
    await waiting
    expect(order).toEqual(['written', 'data true'])
    expect(reader.takeLineText(100)).toBe('GET /next HTTP/1.1\r\n')
  })

  it('bytes that arrive after some lines were taken join the rest, in order', async () => {
    const { reader, client } = await pair()
    client.write('one\r\ntw')
    await buffered(reader, 7)
    expect(reader.takeLineText(100)).toBe('one\r\n')
    client.write('o\r\nthree\r\n')
    await buffered(reader, 2 + 3 + 7)
    expect(reader.takeLineText(100)).toBe('two\r\n')
    expect(reader.takeLineText(100)).toBe('three\r\n')
    expect(reader.buffered).toBe(0)
  })
})
