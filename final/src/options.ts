// Command-line options: every flag with its environment variable and its default, the limits
// among them (limits.ts). `--help` lists them all; a mistake is one line that names the flag.

import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { LIMITS } from './limits.ts'

export interface Options {
  host: string
  port: number
  root: string
  users: string
  threads: number
  maxConnections: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
  headersTimeoutMs: number
  maxRequestLineBytes: number
  maxHeaderBytes: number
  maxHeaderFields: number
  maxBodyBytes: number
  cacheControl: string | undefined
  quiet: boolean
  help: boolean
}

/** A mistake on the command line: one line that names the flag. */
export class UsageError extends Error {}

interface Flag {
  flag: string
  env?: string
  /** What the flag takes (N, MS, DIR); none for a switch. */
  arg?: string
  default: string
  help: string
}

// The server's own flags, then every limit, as --help lists them.
const FLAGS: Flag[] = [
  { flag: '--port', env: 'PORT', arg: 'N', default: '8888', help: 'the port to listen on, 0 to 65535 (0: any free port)' },
  { flag: '--host', arg: 'ADDR', default: '127.0.0.1', help: 'the address to listen on (0.0.0.0: every interface)' },
  { flag: '--root', env: 'ROOT', arg: 'DIR', default: "the chapter's resources/", help: 'the folder to serve' },
  { flag: '--users', env: 'USERS', arg: 'FILE', default: "the chapter's users.json", help: 'the users of POST /api/login' },
  { flag: '--threads', env: 'THREADS', arg: 'N', default: `${os.availableParallelism()}, one per core`, help: 'worker threads for password checks' },
  { flag: '--cache-control', env: 'CACHE_CONTROL', arg: 'VALUE', default: 'none', help: 'Cache-Control sent with every file' },
  ...LIMITS.map((limit) => ({ flag: limit.flag, env: limit.env, arg: limit.unit, default: String(limit.default), help: `${limit.what}; over it, ${limit.over}` })),
  { flag: '--quiet', default: 'off', help: 'no access log on stdout' },
  { flag: '--help', default: 'off', help: 'print this list and exit' },
]

export function readOptions(args: string[], env = process.env): Options {
  let values: Record<string, string | boolean | undefined>
  try {
    const options = Object.fromEntries(FLAGS.map(({ flag, arg }) => [flag.slice(2), { type: arg ? ('string' as const) : ('boolean' as const) }]))
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values as typeof values
  } catch (error) {
    throw new UsageError(describeParseError(error))
  }
  // The flag, or else its environment variable (an empty one counts as unset).
  const text = (flag: string): string | undefined => {
    const value = values[flag.slice(2)]
    if (typeof value === 'string') return value
    const name = FLAGS.find((each) => each.flag === flag)?.env
    return (name && env[name]) || undefined
  }
  const number = (flag: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number => {
    const value = text(flag)
    if (value === undefined) return fallback
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new UsageError(`${flag} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}, not ${JSON.stringify(value)}`)
    }
    return Number(value)
  }
  const limit = (flag: string): number => number(flag, LIMITS.find((each) => each.flag === flag)!.default)
  return {
    host: text('--host') ?? '127.0.0.1',
    port: number('--port', 8888, 0, 65_535),
    root: text('--root') ?? path.join(import.meta.dirname, '..', 'resources'),
    users: text('--users') ?? path.join(import.meta.dirname, '..', 'users.json'),
    threads: number('--threads', os.availableParallelism()),
    maxConnections: limit('--max-connections'),
    requestTimeoutMs: limit('--request-timeout'),
    keepAliveTimeoutMs: limit('--keep-alive-timeout'),
    headersTimeoutMs: limit('--headers-timeout'),
    maxRequestLineBytes: limit('--max-request-line'),
    maxHeaderBytes: limit('--max-header-size'),
    maxHeaderFields: limit('--max-header-fields'),
    maxBodyBytes: limit('--max-body'),
    cacheControl: text('--cache-control'),
    quiet: values.quiet === true,
    help: values.help === true,
  }
}

/** Every flag, its environment variable and its default, one line each. */
export function usage(): string {
  const rows = FLAGS.map(({ flag, env, arg, default: fallback, help }) => {
    const left = `  ${flag}${arg ? ` ${arg}` : ''}`.padEnd(28)
    return `${left}${help} (default ${fallback}${env ? `; or ${env}` : ''})`
  })
  return ['Usage: npm start -- [options]', '', ...rows].join('\n')
}

/** node:util's parseArgs explains at length; one line that names the flag is enough. */
function describeParseError(error: unknown): string {
  const { code, message } = error as { code?: string; message: string }
  const flag = /'(-[^' ]*)/.exec(message)?.[1] ?? ''
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${flag} (--help lists the options)`
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return message.includes('does not take') ? `${flag} takes no value` : `${flag} needs a value`
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `${message.split('.')[0]}: every value follows its flag`
  return message
}
