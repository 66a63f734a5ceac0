// The careful node:http static server: files served from memory (FileCache) with headers built
// once per file version, 304 for a matching If-None-Match, large files streamed.

import fs from 'node:fs'
import { realpath } from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import { FileCache } from './file-cache.ts'
import { contentTypeFor, fileInRoot, listen, readServerArgs } from './server-args.ts'

const args = readServerArgs(process.argv.slice(2))
const root = fs.realpathSync(args.root)
const cache = new FileCache()

const cachedServer = http.createServer((req, res) => {
  const file = fileInRoot(root, req.url ?? '/')
  if (!file) return sendStatus(res, 404)
  const { hit, stats } = cache.lookup(file)
  if (hit) return sendCached(req, res, hit)
  if (!stats?.isFile()) return sendStatus(res, 404)
  serveMiss(req, res, file, stats).catch(() => sendStatus(res, 404)) // gone between the stat and the read
})

/**
 * Read the file into the cache and send it. The root is checked here, on a miss only: a hit's
 * stat follows symbolic links, so a link moved to another file changes the inode and misses.
 */
async function serveMiss(req: http.IncomingMessage, res: http.ServerResponse, file: string, stats: fs.Stats): Promise<void> {
  if (!(await realpath(file)).startsWith(root + path.sep)) return sendStatus(res, 404) // a link out of the root
  const entry = await cache.load(file, stats)
  if (entry) sendCached(req, res, entry)
  else streamFile(req, res, file, stats)
}

function sendCached(req: http.IncomingMessage, res: http.ServerResponse, entry: { body: Buffer; headers: string[]; etag: string }): void {
  // RFC 9110 §13.1.2: weak comparison; a client holding this version gets 304 and no body.
  const ifNoneMatch = req.headers['if-none-match']
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === entry.etag.slice(2))) {
    res.writeHead(304, ['ETag', entry.etag])
    res.end()
    return
  }
  res.writeHead(200, entry.headers)
  res.end(req.method === 'HEAD' ? undefined : entry.body)
}

function streamFile(req: http.IncomingMessage, res: http.ServerResponse, file: string, stats: fs.Stats): void {
  res.writeHead(200, { 'Content-Type': contentTypeFor(file), 'Content-Length': stats.size })
  if (req.method === 'HEAD') return void res.end()
  fs.createReadStream(file).on('error', () => res.destroy()).pipe(res)
}

function sendStatus(res: http.ServerResponse, status: number): void {
  const body = `${http.STATUS_CODES[status]}\n`
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}

listen(cachedServer, 'cached node:http server', args)
