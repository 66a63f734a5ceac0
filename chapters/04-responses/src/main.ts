// Chapter 04: an HTTP server whose responses are complete and correct. `npm run chapter 4` starts it.

import { HelloHandler } from './hello-handler.ts'
import { readOptions } from './options.ts'
import { TCPServer } from './tcp-server.ts'

try {
  const server = new TCPServer(readOptions(process.argv.slice(2)), HelloHandler)
  const { host, port } = await server.listen()
  console.log(`HTTP server listening on http://${host}:${port}/`)
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
  return `cannot start: ${message}`
}
