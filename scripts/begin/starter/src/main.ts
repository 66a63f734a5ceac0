// Your server, before chapter 1: it listens and accepts connections, and does nothing with them
// yet. Chapter 1 (chapters/01-tcp-echo/README.md) turns it into an echo server: read one line
// from the client, send the same line back, close. `npm run check` tells you how far you are.

import net from 'node:net'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' } } })
const port = Number(values.port ?? process.env.PORT ?? 8888)
const host = values.host ?? '127.0.0.1'

const server = net.createServer((socket) => {
  // A client connected. Nothing is read and nothing is sent yet: that is chapter 1's work.
  socket.on('error', () => {}) // a client that resets must not crash the server
})
server.listen(port, host, () => console.log(`my server listening on ${host}:${port} (it does nothing yet)`))
