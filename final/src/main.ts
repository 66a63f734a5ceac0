// The finished server: `npm start`, or `npm start -- --root ./site` to serve any folder.

import { readOptions, usage, UsageError } from './cli.ts'
import { SHUTDOWN_DEADLINE_MS } from './limits.ts'
import { SimpleHTTPServer } from './simple-http-server.ts'
import { SimpleHTTPRequestHandler } from './static-handler.ts'
import { loadUsers } from './users.ts'
import { WorkerPool } from './worker-pool.ts'

let config
try {
  config = readOptions(process.argv.slice(2))
} catch (error) {
  if (!(error instanceof UsageError)) throw error
  console.error(`error: ${error.message}\n\n${usage()}`)
  process.exit(2)
}
if (config.help) {
  console.log(usage())
  process.exit(0)
}

try {
  const users = loadUsers(config.users)
  // From source (tsx) the worker is the .ts file; from the build (npm start), its bundled .js.
  const workerScript = new URL(import.meta.url.endsWith('.ts') ? './password-worker.ts' : './password-worker.js', import.meta.url)
  const pool = new WorkerPool(config.threads, workerScript)
  const server = new SimpleHTTPServer(config, SimpleHTTPRequestHandler, config.root, users, pool, config.limits)
  server.cacheControl = config.cacheControl
  if (!config.quiet) server.accessLog = (line) => process.stdout.write(`${line}\n`)
  const { host, port } = await server.listen()
  console.log(`workbook server listening on http://${host}:${port}/`)
  console.log(`  serving ${server.root}; users from ${config.users}; up to ${pool.size} worker threads for password checks, started on first use`)
  console.log(`  try: curl -sv http://${host}:${port}/ http://${host}:${port}/  (one connection, two requests)`)
  console.log(`  Ctrl-C stops it after the requests in flight; --help lists the options${config.quiet ? '' : '; access log below'}`)
  let stopping = false
  const stop = async () => {
    if (stopping) return // a second Ctrl-C while draining changes nothing
    stopping = true
    console.log(`shutting down: no new connections; waiting up to ${SHUTDOWN_DEADLINE_MS / 1000} s for the ones in flight`)
    await server.shutdown(SHUTDOWN_DEADLINE_MS)
    await pool.shutdown()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  await server.serveForever()
} catch (error) {
  console.error(describeStartError(error))
  process.exit(1)
}

function describeStartError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException
  if (code === 'EADDRINUSE') return 'cannot listen: the port is already in use (stop the other server or pass --port N)'
  if (code === 'EACCES') return 'cannot listen: permission denied for that port (use one above 1023)'
  if (code === 'ENOENT') return `cannot start: ${(error as NodeJS.ErrnoException).path} does not exist`
  return `cannot start: ${message}`
}
