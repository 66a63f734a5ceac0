// Command-line options: --port N (or PORT), --host H, --root DIR (or ROOT), --users FILE (or USERS).

import path from 'node:path'

export interface Options {
  host: string
  port: number
  root: string
  users: string
}

export function readOptions(args: string[], env = process.env): Options {
  const options: Options = {
    host: '127.0.0.1',
    port: Number(env.PORT || 8888),
    root: env.ROOT || path.join(import.meta.dirname, '..', 'resources'),
    users: env.USERS || path.join(import.meta.dirname, '..', 'users.json'),
  }
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]
    if (flag === '--port') options.port = Number(args[++i])
    else if (flag === '--host') options.host = args[++i] ?? ''
    else if (flag === '--root') options.root = args[++i] ?? ''
    else if (flag === '--users') options.users = args[++i] ?? ''
    else throw new Error(`unknown option ${flag} (this chapter takes --port N, --host H, --root DIR and --users FILE)`)
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
    throw new Error('--port must be a whole number from 0 to 65535')
  }
  return options
}
