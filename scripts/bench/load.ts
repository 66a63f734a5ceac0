// Runs one load against one server in a separate process: wrk when it is installed (it costs
// less CPU than any Node client, which matters on 2 cores), else autocannon, or, for a new
// connection per request, new-connection-load.ts. Counts only 2xx answers as done.

import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { repoRoot } from './servers-under-test.ts'
import { startProcess, stopProcess } from './processes.ts'

export type LoadTool = 'wrk' | 'autocannon'

export interface LoadSpec {
  port: number
  path: string
  /** The login scenario's JSON body; a POST when set. */
  body?: string
  connections: number
  durationS: number
  /** A new TCP connection for every request. */
  newConnection: boolean
  /** Where the generator runs (taskset -c), or undefined for anywhere. */
  cpus: string | undefined
  /** wrk's Lua script that turns its requests into the login POST. */
  loginLua: string
}

export interface LoadResult {
  /** 2xx responses per second. */
  rps: number
  ok: number
  /** Complete responses that were not 2xx (a 503 from a full server is not throughput). */
  failed: number
  /** Connections that failed: refused, reset, timed out. */
  errors: number
}

const TIMEOUT_S = 5 // a response slower than this is an error, for every generator

/** wrk when it is on PATH, unless the caller insists on autocannon. */
export function pickLoadTool(prefer?: LoadTool): LoadTool {
  if (prefer) return prefer
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' })
    return 'wrk'
  } catch (error) {
    // wrk --version prints its version and exits 1: it is there if it ran at all
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'autocannon' : 'wrk'
  }
}

/** The generator's command line: run it, and show it in the bench's output. */
export function loadCommand(tool: LoadTool, spec: LoadSpec): { command: string; args: string[] } {
  const url = `http://127.0.0.1:${spec.port}${spec.path}`
  if (tool === 'wrk') {
    const args = ['-t1', `-c${spec.connections}`, `-d${spec.durationS}s`, '--timeout', `${TIMEOUT_S}s`]
    if (spec.newConnection) args.push('-H', 'Connection: close')
    if (spec.body) args.push('-s', spec.loginLua)
    return { command: 'wrk', args: [...args, url] }
  }
  if (spec.newConnection) {
    const load = { port: spec.port, path: spec.path, method: spec.body ? 'POST' : 'GET', body: spec.body ?? '', connections: spec.connections, durationS: spec.durationS }
    return { command: process.execPath, args: ['--import', 'tsx', path.join(repoRoot, 'scripts/bench/new-connection-load.ts'), JSON.stringify(load)] }
  }
  const args = [path.join(repoRoot, 'node_modules/autocannon/autocannon.js'), '--json', '-c', String(spec.connections), '-d', String(spec.durationS), '-t', String(TIMEOUT_S)]
  if (spec.body) args.push('-m', 'POST', '-b', spec.body, '-H', 'content-type=application/json')
  return { command: process.execPath, args: [...args, url] }
}

/** A short name for the output: "wrk -c50 -d10s -H 'Connection: close'". */
export function describeLoad(tool: LoadTool, spec: LoadSpec): string {
  if (tool === 'wrk') return `wrk -t1 -c${spec.connections} -d${spec.durationS}s${spec.newConnection ? " -H 'Connection: close'" : ''}${spec.body ? ' -s login.lua' : ''}`
  if (spec.newConnection) return `new-connection-load.ts -c ${spec.connections} -d ${spec.durationS}s (node:net, one connection per request)`
  return `autocannon -c ${spec.connections} -d ${spec.durationS}${spec.body ? ' -m POST' : ''}`
}

export async function runLoad(tool: LoadTool, spec: LoadSpec): Promise<LoadResult> {
  const { command, args } = loadCommand(tool, spec)
  const started = startProcess(command, args, spec.cpus)
  const timer = setTimeout(() => void stopProcess(started), (spec.durationS + 30) * 1000) // a hung generator
  const code = await started.exited
  clearTimeout(timer)
  const output = started.output()
  try {
    if (tool === 'wrk') return parseWrk(output)
    return spec.newConnection ? parseNewConnectionLoad(output, spec.durationS) : parseAutocannon(output)
  } catch (error) {
    throw new Error(`${describeLoad(tool, spec)} exited with ${code} and printed:\n${output}`, { cause: error })
  }
}

/** wrk's summary: "N requests in 10.00s", "Non-2xx or 3xx responses: N", "Socket errors: …". */
export function parseWrk(output: string): LoadResult {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(output)
  if (!total) throw new Error('no "requests in" line')
  const unit = { us: 1e-6, ms: 1e-3, s: 1, m: 60 }[total[3] as 'us' | 'ms' | 's' | 'm']
  const seconds = Number(total[2]) * unit
  const failed = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0)
  const sockets = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output)
  const errors = sockets ? sockets.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0
  const ok = Number(total[1]) - failed
  return { rps: ok / seconds, ok, failed, errors }
}

export function parseAutocannon(output: string): LoadResult {
  const result = JSON.parse(output.slice(output.indexOf('{'))) as Record<string, number>
  const ok = result['2xx']!
  return { rps: ok / result.duration!, ok, failed: result.non2xx!, errors: result.errors! } // autocannon counts timeouts among its errors
}

export function parseNewConnectionLoad(output: string, durationS: number): LoadResult {
  const result = JSON.parse(output.slice(output.indexOf('{'))) as { ok: number; failed: number; errors: number; seconds: number }
  return { rps: result.ok / (result.seconds || durationS), ok: result.ok, failed: result.failed, errors: result.errors }
}
