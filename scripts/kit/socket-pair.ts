// Two ends of one real TCP connection on 127.0.0.1, for unit tests of a reader: the server's end
// paused (as a server's accepted socket waits for its reader), the client's end to write from.
// Both are closed when the test that asked for them ends.

import net from 'node:net'
import { onTestFinished } from 'vitest'

export interface SocketPair {
  server: net.Socket
  client: net.Socket
}

export async function socketPair(): Promise<SocketPair> {
  const listener = net.createServer({ pauseOnConnect: true })
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve))
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1')
  const server = await accepted
  onTestFinished(() => {
    client.destroy()
    server.destroy()
    listener.close()
  })
  return { server, client }
}
