// `npm run book`: renders the README and the chapters' explainers into a small site, and serves it
// on 127.0.0.1:8888 with the workbook's own finished server. `-- --port N` (or PORT) picks another
// port; `-- --out DIR` writes the static site to DIR instead of serving it.

import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { BOOK_MARKER, buildBook } from './book/build.ts'
import { repoRoot } from './kit/paths.ts'
import { fail, readArgs } from './lib/cli.ts'
import { connectHost, waitForPort, whyCannotListen } from './lib/port.ts'

const DEFAULT_PORT = 8888
const DEFAULT_HOST = '127.0.0.1'
const START_TIMEOUT_MS = 20_000 // tsx compiles the server on start; slow machines need a while
const BANNER_MS = 500 // what the server prints this soon after it listens is its start-up banner

const options = readOptions()
if (options.out) {
  const outDir = path.resolve(options.out)
  prepareOutDir(outDir)
  const pages = buildBook(outDir)
  console.log(`Wrote the book (${pages.length} pages) to ${outDir}. Open ${path.join(outDir, 'index.html')}, or serve the folder with any static server.`)
  process.exit(0)
}
await serveBook(options.port, options.host)

function readOptions(): { out: string | undefined; port: number; host: string } {
  const { values } = readArgs({ out: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } }, 'npm run book [-- --port N] [-- --out DIR]')
  const portText = values.port ?? (process.env.PORT || String(DEFAULT_PORT))
  const port = Number(portText)
  if (!/^\d+$/.test(portText) || port < 1 || port > 65_535) fail(`Invalid port "${portText}": use a whole number from 1 to 65535, e.g. npm run book -- --port 9001`, 2)
  if (values.out === '') fail('--out needs a folder: npm run book -- --out DIR', 2)
  return { out: values.out, port, host: values.host ?? DEFAULT_HOST }
}

/** Never write into (or clear) a folder that holds something other than an earlier book. */
function prepareOutDir(outDir: string): void {
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    if (!existsSync(path.join(outDir, BOOK_MARKER))) fail(`${outDir} is not empty and holds no earlier book: pick a new or empty folder.`, 1)
    rmSync(outDir, { recursive: true, force: true })
  }
  mkdirSync(outDir, { recursive: true })
}

async function serveBook(port: number, host: string): Promise<void> {
  const busy = await whyCannotListen(host, port, (other) => `npm run book -- --port ${other}`)
  if (busy) fail(busy, 1)
  const serverDir = existsSync(path.join(repoRoot, 'final', 'src', 'main.ts')) ? 'final' : 'chapters/07-threads'
  const siteDir = mkdtempSync(path.join(os.tmpdir(), 'workbook-book-'))
  process.on('exit', () => rmSync(siteDir, { recursive: true, force: true }))
  buildBook(siteDir)

  const main = path.join(repoRoot, serverDir, 'src', 'main.ts')
  const child = spawn(process.execPath, ['--import', 'tsx', main, '--root', siteDir, '--port', String(port), '--host', host], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  // Until it listens, keep what the server prints (to show if it fails); then drop its start-up
  // banner, which names its own try-it commands, and pass on the rest: the access log, errors.
  let startOutput = ''
  let bannerUntil = Infinity
  child.stdout!.on('data', (chunk: Buffer) => (Date.now() > bannerUntil ? process.stdout.write(chunk) : (startOutput += chunk.toString())))
  child.stderr!.on('data', (chunk: Buffer) => (bannerUntil < Infinity ? process.stderr.write(chunk) : (startOutput += chunk.toString())))
  process.on('exit', () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'))

  // Ctrl-C reaches the whole process group, the server included; a plain `kill` reaches only us.
  let stopping = false
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      child.kill(stopping ? 'SIGKILL' : signal)
      stopping = true
    })
  }
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(stopping ? 0 : (code ?? 1))))

  let gone = false
  void exited.then(() => (gone = true))
  const listening = await waitForPort(connectHost(host), port, START_TIMEOUT_MS, () => gone)
  if (!listening) {
    child.kill('SIGKILL')
    fail(`The book's server (${serverDir}) did not start on ${host}:${port}. It printed:\n${startOutput.trim() || '(nothing)'}`, 1)
  }
  bannerUntil = Date.now() + BANNER_MS
  const shownHost = host === '0.0.0.0' || host === '::' ? DEFAULT_HOST : host
  const what = serverDir === 'final' ? 'final/, the server this book builds' : `${serverDir}/, the server this book builds so far`
  console.log(`The book is at http://${shownHost}:${port}/ (served by ${what}). Ctrl-C to stop.`)
  process.exit(await exited)
}
