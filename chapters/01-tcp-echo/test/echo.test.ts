// Chapter 01, black-box: a line goes in, the same line comes back, the server closes.

import { afterAll, afterEach, beforeAll, describe, it } from 'vitest'
import { RawClient, expectBytes, expectClosed, hint, startServer, type RunningServer } from '../../../scripts/kit/index.ts'

let server: RunningServer
beforeAll(async () => {
  server = await startServer({ reference: 'chapters/01-tcp-echo' })
})
afterAll(() => server?.stop())
afterEach(() => RawClient.destroyAll()) // a failed test must not leave its connection holding the server

async function echoOnce(line: string): Promise<RawClient> {
  const client = await RawClient.connect(server.port)
  await client.send(line)
  expectBytes(client, await client.readLine(), line, 'The server must send back the line it received, byte for byte.')
  return client
}

describe('echo', hint('chapters/01-tcp-echo/README.md#listen-accept-handle-close'), () => {
  it('sends a line back and then closes the connection', async () => {
    const client = await echoOnce('Hello TCPServer\r\n')
    await expectClosed(client, 'After answering, the server closes its side of the connection.')
  })

  it('sends back a line that holds multi-byte UTF-8 characters unchanged', hint('chapters/01-tcp-echo/README.md#tcp-is-a-stream-of-bytes-not-of-messages'), async () => {
    const client = await echoOnce('你好, TCP ✓\n')
    client.destroy()
  })
})

describe('many clients', hint('chapters/01-tcp-echo/README.md#what-happens-to-a-second-client'), () => {
  it('ten clients at once each get their own line back (the blog\'s SocketServerTest)', async () => {
    const clients = await Promise.all(Array.from({ length: 10 }, () => RawClient.connect(server.port)))
    await Promise.all(clients.map((client, i) => client.send(`Hello from client ${i}\r\n`)))
    await Promise.all(
      clients.map(async (client, i) => {
        expectBytes(client, await client.readLine(), `Hello from client ${i}\r\n`, `Client ${i} must get its own line, not another client's.`)
        client.destroy()
      }),
    )
  })
})

describe('clients that go away', hint('chapters/01-tcp-echo/README.md#clients-that-go-away'), () => {
  it('a client that connects and vanishes does not stop the server', async () => {
    const gone = await RawClient.connect(server.port)
    gone.destroy()
    const client = await echoOnce('still here\n')
    client.destroy()
  })

  it('a client that sends half a line and leaves does not stop the server', async () => {
    const gone = await RawClient.connect(server.port)
    await gone.send('half a li')
    gone.destroy()
    const client = await echoOnce('next client\n')
    client.destroy()
  })
})
