// Chapter 05: a static file server. `npm run chapter 5` starts it on the chapter's resources/.

import { readOptions } from './options.ts'
import { SimpleHTTPServer } from './simple-http-server.ts'
import { SimpleHTTPRequestHandler } from './static-handler.ts'

try {
  const options = readOptions(process.argv.slice(2))
  const server = new SimpleHTTPServer(options, SimpleHTTPRequestHandler, options.root)
  const { host, port } = await server.listen()
  console.log(`static file server listening on http://${host}:${port}/, serving ${server.root}`)
  const stop = () => {
    server.shutdown()
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
