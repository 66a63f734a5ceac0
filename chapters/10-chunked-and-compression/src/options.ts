// Command-line options: --port N (or PORT), --host H, --root DIR (or ROOT), --users FILE (or USERS),
// --threads N (or THREADS), --max-connections N (or MAX_CONNECTIONS),
// --request-timeout MS (or REQUEST_TIMEOUT_MS), --keep-alive-timeout MS (or KEEP_ALIVE_TIMEOUT_MS),
// --cache-control VALUE (or CACHE_CONTROL).

import os from 'node:os'
import path from 'node:path'
import { KEEP_ALIVE_TIMEOUT_MS, MAX_CONNECTIONS, REQUEST_TIMEOUT_MS } from './tcp-server.ts'

export interface Options {
  host: string
  port: number
  root: string
  users: string
  threads: number
  maxConnections: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
  cacheControl: string | undefined
}

export function readOptions(args: string[], env = process.env): Options {
  const options: Options = {
    host: '127.0.0.1',
    port: Number(env.PORT || 8888),
    root: env.ROOT || path.join(import.meta.dirname, '..', 'resources'),
    users: env.USERS || path.join(import.meta.dirname, '..', 'users.json'),
    threads: Number(env.THREADS || os.availableParallelism()),
    maxConnections: Number(env.MAX_CONNECTIONS || MAX_CONNECTIONS),
    requestTimeoutMs: Number(env.REQUEST_TIMEOUT_MS || REQUEST_TIMEOUT_MS),
    keepAliveTimeoutMs: Number(env.KEEP_ALIVE_TIMEOUT_MS || KEEP_ALIVE_TIMEOUT_MS),
    cacheControl: env.CACHE_CONTROL || undefined,
  }
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]
    if (flag === '--port') options.port = Number(args[++i])
    else if (flag === '--host') options.host = args[++i] ?? ''
    else if (flag === '--root') options.root = args[++i] ?? ''
    else if (flag === '--users') options.users = args[++i] ?? ''
    else if (flag === '--threads') options.threads = Number(args[++i])
    else if (flag === '--max-connections') options.maxConnections = Number(args[++i])
    else if (flag === '--request-timeout') options.requestTimeoutMs = Number(args[++i])
    else if (flag === '--keep-alive-timeout') options.keepAliveTimeoutMs = Number(args[++i])
    else if (flag === '--cache-control') options.cacheControl = args[++i]
    else throw new Error(`unknown option ${flag} (this chapter takes --port N, --host H, --root DIR, --users FILE, --threads N, --max-connections N, --request-timeout MS, --keep-alive-timeout MS and --cache-control VALUE)`)
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
    throw new Error('--port must be a whole number from 0 to 65535')
  }
  for (const [flag, value] of [['--threads', options.threads], ['--max-connections', options.maxConnections], ['--request-timeout', options.requestTimeoutMs], ['--keep-alive-timeout', options.keepAliveTimeoutMs]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a whole number above 0`)
  }
  return options
}
