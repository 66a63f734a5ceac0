// A tiny TCP client for the "try it" steps, since nc is often missing: sends each argument as a
// line to 127.0.0.1:8888 (or --port N), prints every byte that comes back, and closes.
//   npm run send -- "hello"            npm run send -- --port 9001 "one" "two"

import net from 'node:net'
import { readArgs } from './lib/cli.ts'

const { values, positionals } = readArgs({ port: { type: 'string' } }, 'npm run send -- [--port N] "line" ["another line" ...]')
const port = Number(values.port ?? process.env.PORT ?? 8888)
const lines = positionals.length > 0 ? positionals : ['Hello TCPServer']
const QUIET_MS = 1_000 // close after this long without a reply

const socket = net.connect(port, '127.0.0.1', () => {
  for (const line of lines) {
    process.stdout.write(`> ${line}\n`)
    socket.write(`${line}\r\n`)
  }
})
let timer = setTimeout(() => socket.end(), QUIET_MS)
let received = Buffer.alloc(0)
socket.on('data', (chunk: Buffer) => {
  received = Buffer.concat([received, chunk])
  for (let end = received.indexOf(0x0a); end !== -1; end = received.indexOf(0x0a)) {
    printLine(received.subarray(0, end + 1))
    received = received.subarray(end + 1)
  }
  clearTimeout(timer)
  timer = setTimeout(() => socket.end(), QUIET_MS)
})
socket.on('end', () => {
  if (received.length > 0) printLine(received)
  console.log('(the server closed the connection)')
  clearTimeout(timer)
})

/** One received line, its ending shown: a student should see \r\n on the wire. */
function printLine(line: Buffer): void {
  console.log(`< ${line.toString('utf8').replace(/\r/g, '\\r').replace(/\n/g, '\\n')}`)
}
socket.on('error', (error: NodeJS.ErrnoException) => {
  console.error(error.code === 'ECONNREFUSED' ? `Nothing listens on 127.0.0.1:${port}. Start a server first: npm run chapter 1` : error.message)
  process.exitCode = 1
})
