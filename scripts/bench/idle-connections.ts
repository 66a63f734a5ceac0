// Holds idle connections open against a server, in a process of its own: each asks for one page
// and then sits quiet, like a browser tab holding its keep-alive connection. A connection the
// server closes is opened again, and counted. Usage: idle-connections.ts PORT PATH COUNT.
// Prints "holding N" once all are open; on SIGTERM, "closed by the server: N" and exits.

import net from 'node:net'

const OPEN_BATCH = 100 // connections opened at once: more would overflow a 511-long accept queue

const [port, path, count] = [Number(process.argv[2]), process.argv[3] ?? '/', Number(process.argv[4] ?? 1000)]
const request = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`
const open = new Set<net.Socket>()
let closedByServer = 0
let holding = false

/** Resolves once the response has started to arrive: the connection has been served and is idle. */
function openIdle(): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write(request))
    open.add(socket)
    socket.once('data', () => resolve())
    socket.on('data', () => {}) // keep reading: the rest of the response, then nothing
    socket.on('error', () => {})
    socket.on('close', () => {
      open.delete(socket)
      resolve()
      if (!holding) return
      closedByServer++
      void openIdle()
    })
  })
}

for (let opened = 0; opened < count; opened += OPEN_BATCH) {
  await Promise.all(Array.from({ length: Math.min(OPEN_BATCH, count - opened) }, openIdle))
}
holding = true
console.log(`holding ${open.size}`)

process.on('SIGTERM', () => {
  holding = false
  console.log(`closed by the server: ${closedByServer}`)
  process.exit(0)
})
