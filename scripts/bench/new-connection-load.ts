// A load generator for what autocannon cannot do: a new TCP connection for every request, as
// `wrk -H 'Connection: close'` does. Runs in its own process (node --import tsx), so it shares
// no event loop with the bench. Usage: new-connection-load.ts '{"port":…,"path":…,…}'; prints
// one JSON line: {"ok","failed","errors","seconds"}.

import net from 'node:net'

export interface NewConnectionLoad {
  port: number
  path: string
  method: string
  body: string
  connections: number
  durationS: number
}

const RESPONSE_TIMEOUT_MS = 5_000 // as the --timeout given to wrk and autocannon

const spec = JSON.parse(process.argv[2] ?? '{}') as NewConnectionLoad
const body = Buffer.from(spec.body)
const head = `${spec.method} ${spec.path} HTTP/1.1\r\nHost: 127.0.0.1:${spec.port}\r\nConnection: close\r\n`
const request = Buffer.concat([
  Buffer.from(body.length > 0 ? `${head}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n` : `${head}\r\n`),
  body,
])
const counts = { ok: 0, failed: 0, errors: 0 }
const started = performance.now()
const deadline = started + spec.durationS * 1000

/** One request on one fresh connection; the response is whole when the server closes. */
function requestOnce(): void {
  if (performance.now() >= deadline) return
  const socket = net.connect({ port: spec.port, host: '127.0.0.1', noDelay: true })
  let status = ''
  socket.setTimeout(RESPONSE_TIMEOUT_MS, () => socket.destroy(new Error('timeout')))
  socket.on('connect', () => socket.write(request)) // no FIN of ours: the server closes, as with wrk
  socket.on('data', (chunk: Buffer) => {
    if (status.length < 12) status += chunk.subarray(0, 12 - status.length).toString('latin1')
  })
  socket.on('error', () => {})
  socket.on('close', (hadError) => {
    if (performance.now() < deadline) {
      const code = status.slice(9) // "HTTP/1.1 200": the code
      if (hadError || code.length < 3) counts.errors++
      else if (code.startsWith('2')) counts.ok++
      else counts.failed++
    }
    requestOnce()
  })
}

for (let i = 0; i < spec.connections; i++) requestOnce()
setTimeout(() => {
  console.log(JSON.stringify({ ...counts, seconds: (performance.now() - started) / 1000 }))
  process.exit(0)
}, spec.durationS * 1000)
