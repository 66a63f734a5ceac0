// The command line of the finished server: every flag, its environment variable, its default.
// A bad flag is a one-line error followed by the usage, never a stack trace. The flags are read by
// node:util's parseArgs, strictly: an unknown flag, a missing value or a stray argument is an error.

import os from 'node:os'
import path from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { DEFAULT_LIMITS, type Limits } from './limits.ts'

export interface Config {
  host: string
  port: number
  root: string
  users: string
  threads: number
  cacheControl: string | undefined
  quiet: boolean
  help: boolean
  limits: Limits
}

interface Flag {
  name: string
  env?: string
  arg?: string
  help: string
  apply(config: Config, value: string): void
}

export class UsageError extends Error {}

const MAX_PORT = 65_535 // TCP's port numbers are 16 bits (RFC 9293 §3.1)

const wholeNumber = (flag: string, value: string, min = 1, max = Number.MAX_SAFE_INTEGER): number => {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`
    throw new UsageError(`${flag} needs a whole number ${range}, not ${JSON.stringify(value)}`)
  }
  return n
}

const limit = (name: string, env: string, key: keyof Limits, unit: string, help: string): Flag => ({
  name,
  env,
  arg: unit,
  help: `${help} (default ${DEFAULT_LIMITS[key]})`,
  apply: (config, value) => (config.limits[key] = wholeNumber(`--${name}`, value)),
})

const FLAGS: Flag[] = [
  { name: 'port', env: 'PORT', arg: 'N', help: 'the port to listen on (default 8888)', apply: (c, v) => (c.port = wholeNumber('--port', v, 0, MAX_PORT)) },
  { name: 'host', arg: 'ADDR', help: 'the address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)', apply: (c, v) => (c.host = v) },
  { name: 'root', env: 'ROOT', arg: 'DIR', help: 'the folder to serve (default final/resources, the login site)', apply: (c, v) => (c.root = v) },
  { name: 'users', env: 'USERS', arg: 'FILE', help: 'the users for /api/login (default final/users.json)', apply: (c, v) => (c.users = v) },
  { name: 'threads', env: 'THREADS', arg: 'N', help: `worker threads for password checks (default ${os.availableParallelism()}, one per core)`, apply: (c, v) => (c.threads = wholeNumber('--threads', v)) },
  limit('max-connections', 'MAX_CONNECTIONS', 'maxConnections', 'N', 'connections at once; more get 503'),
  limit('max-body', 'MAX_BODY_BYTES', 'maxBodyBytes', 'BYTES', 'largest request body; more is 413'),
  limit('max-header-size', 'MAX_HEADER_BYTES', 'maxHeaderBytes', 'BYTES', 'largest header block; more is 431'),
  limit('max-request-line', 'MAX_REQUEST_LINE_BYTES', 'maxRequestLineBytes', 'BYTES', 'longest request line; more is 414'),
  limit('headers-timeout', 'HEADERS_TIMEOUT_MS', 'headersTimeoutMs', 'MS', 'time for a request head to arrive; slower is 408'),
  limit('request-timeout', 'REQUEST_TIMEOUT_MS', 'requestTimeoutMs', 'MS', 'time for a body, or for a client to read our reply'),
  limit('keep-alive-timeout', 'KEEP_ALIVE_TIMEOUT_MS', 'keepAliveTimeoutMs', 'MS', 'idle time between requests before closing'),
  { name: 'cache-control', env: 'CACHE_CONTROL', arg: 'VALUE', help: 'Cache-Control for every file, e.g. "public, max-age=3600" (default none)', apply: (c, v) => (c.cacheControl = v) },
  { name: 'quiet', help: 'no access log on stdout', apply: (c) => (c.quiet = true) },
  { name: 'help', help: 'show this help', apply: (c) => (c.help = true) },
]

// The same table, as node:util's parseArgs takes it: a flag with an argument is a string, one without a boolean.
const OPTIONS: ParseArgsConfig['options'] = Object.fromEntries(FLAGS.map((flag) => [flag.name, { type: flag.arg ? 'string' : 'boolean' }]))

/** The configuration from the environment, then the flags on top; a mistake is a UsageError of one line. */
export function readOptions(args: string[], env: NodeJS.ProcessEnv = process.env): Config {
  const here = import.meta.dirname
  const config: Config = {
    host: '127.0.0.1',
    port: 8888,
    root: path.join(here, '..', 'resources'),
    users: path.join(here, '..', 'users.json'),
    threads: os.availableParallelism(),
    cacheControl: undefined,
    quiet: false,
    help: false,
    limits: { ...DEFAULT_LIMITS },
  }
  for (const flag of FLAGS) {
    const value = flag.env ? env[flag.env] : undefined
    if (value) flag.apply(config, value)
  }
  const values = readFlags(args)
  for (const flag of FLAGS) {
    const value = values[flag.name]
    if (value !== undefined) flag.apply(config, typeof value === 'string' ? value : '')
  }
  return config
}

/** parseArgs, strict, with its errors said in one line that names the flag. */
function readFlags(args: string[]): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException
    const named = /'([^' ]+)/.exec(message)?.[1] ?? ''
    const flag = FLAGS.find((f) => `--${f.name}` === named)
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${JSON.stringify(named)}`)
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`unexpected argument ${JSON.stringify(named)}: every option starts with --`)
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) {
      throw new UsageError(flag.arg ? `--${flag.name} needs a value (${flag.arg})` : `--${flag.name} takes no value`)
    }
    throw new UsageError(message.split('\n')[0]!)
  }
}

export function usage(): string {
  const rows = FLAGS.map((flag) => {
    const left = `  --${flag.name}${flag.arg ? ` ${flag.arg}` : ''}`
    return `${left.padEnd(30)}${flag.help}${flag.env ? ` [${flag.env}]` : ''}`
  })
  return ['Usage: npm start -- [options]', '', 'Serves a folder over HTTP/1.1, with the login API of chapter 6.', '', 'Options:', ...rows].join('\n')
}
