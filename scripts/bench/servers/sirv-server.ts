// sirv (npm), the fast static server Node users pick, wrapped in node:http as its README shows.

import http from 'node:http'
import sirv from 'sirv'
import { listen, readServerArgs } from './server-args.ts'

const args = readServerArgs(process.argv.slice(2))
const { root } = args

// Production mode (dev: false): sirv walks the root once at start and keeps each file's headers.
const serve = sirv(root, { dev: false, etag: true })

const sirvServer = http.createServer((req, res) =>
  serve(req, res, () => {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 10 })
    res.end('Not Found\n')
  }),
)

listen(sirvServer, 'sirv', args)
