// The finished server: chapter 11's, made fast (README "What made it fast"). `npm start` runs it,
// `npm start -- --root ./site` serves any folder, `npm start -- --help` lists the options.

import { SHUTDOWN_DEADLINE_MS } from './limits.ts'
import { UsageError, readOptions, usage } from './options.ts'
import { SimpleHTTPServer } from './simple-http-server.ts'
import { SimpleHTTPRequestHandler } from './static-handler.ts'
import { loadUsers } from './users.ts'
import { WorkerPool } from './worker-pool.ts'

try {
  const options = readOptions(process.argv.slice(2))
  if (options.help) {
    console.log(usage())
    process.exit(0)
  }
  const users = loadUsers(options.users)
  // From source (tsx) the worker is the .ts file; from the build (npm start), its bundled .js.
  const pool = new WorkerPool(options.threads, new URL(import.meta.url.endsWith('.ts') ? './password-worker.ts' : './password-worker.js', import.meta.url))
  const server = new SimpleHTTPServer(options, SimpleHTTPRequestHandler, options.root, users, pool, options)
  server.cacheControl = options.cacheControl
  if (!options.quiet) server.accessLog = (line) => console.log(line)
  const { host, port } = await server.listen()
  console.log(`login server listening on http://${host}:${port}/, serving ${server.root}, users from ${options.users}, ${pool.size} worker thread${pool.size === 1 ? '' : 's'}, connections kept alive for ${options.keepAliveTimeoutMs / 1000} s, a head given ${options.headersTimeoutMs / 1000} s, text compressed with br or gzip when asked, ${options.cacheControl ? `Cache-Control: ${options.cacheControl}` : 'no Cache-Control'}, ${options.quiet ? 'no access log' : 'access log below'}`)
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
  console.error(error instanceof UsageError ? `error: ${error.message}` : describeStartError(error))
  process.exit(error instanceof UsageError ? 2 : 1)
}

function describeStartError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException
  if (code === 'EADDRINUSE') return 'cannot listen: the port is already in use (stop the other server or pass --port N)'
  if (code === 'EACCES') return 'cannot listen: permission denied for that port (use one above 1023)'
  if (code === 'ENOENT') return `cannot start: ${(error as NodeJS.ErrnoException).path} does not exist`
  return `cannot start: ${message}`
}
