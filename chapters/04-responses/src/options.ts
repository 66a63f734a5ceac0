// Command-line options: --port N (or PORT), --host H.

export interface Options {
  host: string
  port: number
}

export function readOptions(args: string[], env = process.env): Options {
  const options: Options = { host: '127.0.0.1', port: Number(env.PORT || 8888) }
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]
    if (flag === '--port') options.port = Number(args[++i])
    else if (flag === '--host') options.host = args[++i] ?? ''
    else throw new Error(`unknown option ${flag} (this chapter takes --port N and --host H)`)
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
    throw new Error('--port must be a whole number from 0 to 65535')
  }
  return options
}
