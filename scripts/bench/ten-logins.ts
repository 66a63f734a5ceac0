// The blog's ten clients, as logins: chapter 6 (serial) against chapter 7 with one and two worker
// threads, over raw TCP. Chapter 7's README quotes what it prints.
// Usage: npx tsx scripts/bench/ten-logins.ts [--runs N]   (N runs of each measurement, default 3)

import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fail, readArgs } from '../lib/cli.ts'
import { waitForPort } from '../lib/port.ts'

const HOST = '127.0.0.1'
const REPOSITORY = path.join(import.meta.dirname, '..', '..') // the chapters' paths, and tsx, from any working directory
const LOGINS = 10
const START_TIMEOUT_MS = 30_000 // tsx compiles the chapter on start; a busy 2-core machine is slow
const LOGIN_BODY = JSON.stringify({ username: 'dongdong', password: 'let-me-in' }) // in both chapters' users.json

type Server = { name: string; args: string[]; port: number; child?: ChildProcess }

const servers: Server[] = [
  { name: 'chapter 6 (serial)', args: ['chapters/06-login-post/src/main.ts'], port: 0 },
  { name: 'chapter 7, --threads 1', args: ['chapters/07-threads/src/main.ts', '--threads', '1'], port: 0 },
  { name: 'chapter 7, --threads 2', args: ['chapters/07-threads/src/main.ts', '--threads', '2'], port: 0 },
]

/** A port nobody listens on now: the kernel picks one for a moment's listener. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject)
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

async function start(server: Server): Promise<void> {
  server.port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', ...server.args, '--port', String(server.port)], { cwd: REPOSITORY, stdio: ['ignore', 'ignore', 'inherit'] })
  server.child = child
  if (!(await waitForPort(HOST, server.port, START_TIMEOUT_MS, () => child.exitCode !== null))) throw new Error(`${server.name} did not start`)
}

function stopAll(): void {
  for (const { child } of servers) if (child && child.exitCode === null) child.kill('SIGKILL') // no drain needed, only a sure stop
}

/** Sends one request on a new connection; resolves with the status once the server has closed it (both chapters answer with Connection: close). */
function send(port: number, request: string, connected?: () => void): Promise<{ status: number; finishedMs: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = net.connect({ host: HOST, port }, () => {
      socket.write(request)
      connected?.()
    })
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'))?.[1])
      resolve({ status, finishedMs: performance.now() })
    })
  })
}

function login(port: number, connected?: () => void) {
  const head = `POST /api/login HTTP/1.1\r\nHost: ${HOST}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(LOGIN_BODY)}\r\nConnection: close\r\n\r\n`
  return send(port, head + LOGIN_BODY, connected)
}

function expect200(what: string, status: number): void {
  if (status !== 200) throw new Error(`${what} got ${status || 'no status line'}, not 200`)
}

/** (a) Ten logins at once: milliseconds until all ten have answered 200. */
async function tenLogins(port: number): Promise<number> {
  const started = performance.now()
  const answers = await Promise.all(Array.from({ length: LOGINS }, () => login(port)))
  answers.forEach(({ status }) => expect200('a login', status))
  return performance.now() - started
}

/** (b) Ten logins, then a GET / once all ten are connected and sent: its place among the 11 answers, and both times. */
async function loginsThenGet(port: number): Promise<{ loginsMs: number; getMs: number; place: number }> {
  const started = performance.now()
  let sent = 0
  let allSent!: () => void
  const loginsSent = new Promise<void>((resolve) => (allSent = resolve))
  const logins = Array.from({ length: LOGINS }, () => login(port, () => ++sent === LOGINS && allSent()))
  await loginsSent // the GET must queue behind the logins, as in the README's Try it
  const get = await send(port, `GET / HTTP/1.1\r\nHost: ${HOST}:${port}\r\nConnection: close\r\n\r\n`)
  const answers = await Promise.all(logins)
  answers.forEach(({ status }) => expect200('a login', status))
  expect200('the GET', get.status)
  const loginsDone = Math.max(...answers.map((answer) => answer.finishedMs))
  const place = 1 + answers.filter((answer) => answer.finishedMs < get.finishedMs).length
  return { loginsMs: loginsDone - started, getMs: get.finishedMs - started, place }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const ordinal = (n: number) => `${n}${n === 1 ? 'st' : n === 2 ? 'nd' : n === 3 ? 'rd' : 'th'}`

type Run = { tenLoginsMs: number } & Awaited<ReturnType<typeof loginsThenGet>>

/** A Markdown table of the medians, so it can be pasted into the README. */
function printTable(runsOf: Run[][]): void {
  const medianOf = (runs: Run[], key: keyof Run) => median(runs.map((run) => run[key]))
  const baseline = medianOf(runsOf[0]!, 'tenLoginsMs')
  console.log(`Node ${process.version}, os.cpus().length ${os.cpus().length}, medians of ${runsOf[0]!.length} run(s)\n`)
  console.log('| server | (a) ten logins | vs chapter 6 | (b) ten logins | GET / | GET vs logins | GET finished |')
  console.log('| --- | --: | --: | --: | --: | --: | --- |')
  for (const [i, server] of servers.entries()) {
    const runs = runsOf[i]!
    const [a, logins, get] = [medianOf(runs, 'tenLoginsMs'), medianOf(runs, 'loginsMs'), medianOf(runs, 'getMs')]
    const place = `${ordinal(Math.round(medianOf(runs, 'place')))} of ${LOGINS + 1} (runs: ${runs.map((run) => run.place).join(', ')})`
    console.log(`| ${server.name} | ${a.toFixed(0)} ms | ${(a / baseline).toFixed(2)}× | ${logins.toFixed(0)} ms | ${get.toFixed(0)} ms | ${((get / logins) * 100).toFixed(1)} % | ${place} |`)
  }
}

async function main(): Promise<void> {
  const { values } = readArgs({ runs: { type: 'string', default: '3' } }, 'npx tsx scripts/bench/ten-logins.ts [--runs N]')
  const runs = Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1) fail('--runs must be a whole number above 0', 2)
  await Promise.all(servers.map(start))
  for (const server of servers) await tenLogins(server.port) // warm-up: the first login compiles the code it runs
  const runsOf: Run[][] = servers.map(() => [])
  // Round by round, each server in turn: a burst of load from elsewhere on the machine hits all three alike.
  for (let run = 0; run < runs; run++) {
    for (const [i, { port }] of servers.entries()) runsOf[i]!.push({ tenLoginsMs: await tenLogins(port), ...(await loginsThenGet(port)) })
  }
  printTable(runsOf)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopAll() // Ctrl-C or kill: no server may outlive the script
    process.exit(130)
  })
}
try {
  await main()
} catch (error) {
  console.error(`ten-logins: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  stopAll()
}
