// The static server most Node tutorials write: node:http, one fs.stat and one read stream per
// request. The bench's baseline: every other server's throughput is quoted as a ratio to this one.

import fs from 'node:fs'
import http from 'node:http'
import { contentTypeFor, fileInRoot, listen, readServerArgs } from './server-args.ts'

const args = readServerArgs(process.argv.slice(2))
const { root } = args

const plainServer = http.createServer((req, res) => {
  const file = fileInRoot(root, req.url ?? '/')
  if (!file) return sendStatus(res, 404)
  fs.stat(file, (error, stats) => {
    if (error || !stats.isFile()) return sendStatus(res, 404)
    res.writeHead(200, { 'Content-Type': contentTypeFor(file), 'Content-Length': stats.size })
    if (req.method === 'HEAD') return res.end()
    fs.createReadStream(file).on('error', () => res.destroy()).pipe(res)
  })
})

function sendStatus(res: http.ServerResponse, status: number): void {
  const body = `${http.STATUS_CODES[status]}\n`
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}

listen(plainServer, 'plain node:http server', args)
