// What every command-line script shares: reading its flags with node:util's parseArgs, and
// stopping with one clear line instead of a stack trace.

import { parseArgs, type ParseArgsConfig } from 'node:util'

/** Print `message` to stderr and exit: 1 for a failure, 2 for a usage mistake. */
export function fail(message: string, code = 1): never {
  console.error(message)
  process.exit(code)
}

type Options = NonNullable<ParseArgsConfig['options']>

/**
 * parseArgs over this process's arguments (`npm run x -- ...` passes them through), with a usage
 * line instead of node's stack trace when an option is unknown or misses its value.
 */
export function readArgs<T extends Options>(options: T, usage: string, args = process.argv.slice(2)) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (error) {
    fail(`${(error as Error).message.replace(/\. To specify a positional argument.*$/s, '.')}\nUsage: ${usage}`, 2)
  }
}

/** `npm run x | head` closes the pipe early: stop quietly instead of with an EPIPE stack trace. */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? 0 : 1))
}
