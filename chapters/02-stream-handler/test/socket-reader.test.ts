// Unit tests of the reference SocketReader (skipped when WORKBOOK_SERVER tests your own server).

import type net from 'node:net'
import { describe, expect, it } from 'vitest'
import { otherServer, socketPair } from '../../../scripts/kit/index.ts'
import { LineTooLong, SocketReader } from '../src/socket-reader.ts'

/** A connected pair: the reader on the server side, the raw socket on the client side. */
async function pair(): Promise<{ reader: SocketReader; client: net.Socket }> {
  const { server, client } = await socketPair()
  return { reader: new SocketReader(server), client }
}

describe.skipIf(otherServer)('SocketReader', () => {
  it('read(n) returns exactly n bytes, waiting for pieces', async () => {
    const { reader, client } = await pair()
    client.write('abc')
    setTimeout(() => client.write('defgh'), 10)
    expect((await reader.read(5)).toString()).toBe('abcde')
    expect((await reader.read(3)).toString()).toBe('fgh')
  })

  it('read(n) returns what is left when the stream ends early', async () => {
    const { reader, client } = await pair()
    client.end('xy')
    expect((await reader.read(5)).toString()).toBe('xy')
    expect((await reader.read(5)).length).toBe(0)
  })

  it('readLine and read share one buffer', async () => {
    const { reader, client } = await pair()
    client.write('line\r\nBODY')
    expect((await reader.readLine(100)).toString()).toBe('line\r\n')
    expect((await reader.read(4)).toString()).toBe('BODY')
  })

  it('readLine throws LineTooLong at the limit, even before the line ends', async () => {
    const { reader, client } = await pair()
    client.write('x'.repeat(20))
    await expect(reader.readLine(10)).rejects.toBeInstanceOf(LineTooLong)
  })

  it('readLine returns the unfinished tail at the end of the stream, then empty', async () => {
    const { reader, client } = await pair()
    client.end('no newline')
    expect((await reader.readLine(100)).toString()).toBe('no newline')
    expect((await reader.readLine(100)).length).toBe(0)
  })
})
