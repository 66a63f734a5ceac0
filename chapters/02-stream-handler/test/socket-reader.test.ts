// Unit tests of the reference SocketReader (skipped when WORKBOOK_SERVER tests your own server).

import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { otherServer } from '../../../scripts/kit/index.ts'
import { LineTooLong, SocketReader } from '../src/socket-reader.ts'

const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()))

/** A connected pair: the reader on the server side, the raw socket on the client side. */
async function pair(): Promise<{ reader: SocketReader; client: net.Socket }> {
  const listener = net.createServer({ pauseOnConnect: true })
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve))
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1')
  const socket = await accepted
  cleanups.push(() => {
    client.destroy()
    socket.destroy()
    listener.close()
  })
  return { reader: new SocketReader(socket), client }
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
