// final/, the command line: --help, one-line errors for bad flags, --root serves any folder, one
// access-log line per request in the common log format, and --quiet.

import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createSite, exchange, expectResponse, otherServer, repoRoot, startServer, type FixtureSite, type RunningServer } from '../../scripts/kit/index.ts'
import { readOptions, UsageError } from '../src/options.ts'

const main = path.join(repoRoot, 'final', 'src', 'main.ts')
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 })

let site: FixtureSite | undefined
let server: RunningServer | undefined
afterEach(async () => {
  await server?.stop()
  site?.cleanup()
  server = undefined
  site = undefined
})

describe.skipIf(otherServer)('flags', () => {
  it('--help lists every option and exits 0', () => {
    const { status, stdout } = run('--help')
    expect(status).toBe(0)
    for (const flag of ['--port', '--host', '--root', '--users', '--threads', '--max-connections', '--max-body', '--headers-timeout', '--keep-alive-timeout', '--cache-control', '--quiet']) expect(stdout).toContain(flag)
  })

  it('an unknown flag: a one-line error that points to --help, exit code 2, no stack trace', () => {
    const { status, stderr } = run('--prot', '9000')
    expect(status).toBe(2)
    expect(stderr.trim()).toBe('error: unknown option --prot (--help lists the options)')
    expect(stderr).not.toMatch(/\bat .*\.ts:\d+/)
  })

  it('a bad value: says which flag and what it needs', () => {
    const { status, stderr } = run('--threads', 'many')
    expect(status).toBe(2)
    expect(stderr.split('\n')[0]).toMatch(/--threads must be a whole number/)
  })

  it('a root that does not exist: one line, exit 1', () => {
    const { status, stderr } = run('--root', '/no/such/folder', '--port', '0')
    expect(status).toBe(1)
    expect(stderr.trim()).toBe('cannot start: the document root /no/such/folder is not a folder')
  })
})

describe.skipIf(otherServer)('readOptions: the flags, read in-process', () => {
  const read = (...args: string[]) => readOptions(args, {})
  const refusal = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    try {
      readOptions(args, env)
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError)
      return (error as Error).message
    }
    throw new Error(`readOptions(${JSON.stringify(args)}) was accepted`)
  }

  it('a port from 0 to 65535, as "--port N" or "--port=N"', () => {
    expect(read('--port', '0').port).toBe(0)
    expect(read('--port=65535').port).toBe(65_535)
    expect(read().port).toBe(8888)
  })

  it('a port over 65535 is refused, naming the flag and the range', () => {
    expect(refusal(['--port', '65536'])).toBe('--port must be a whole number from 0 to 65535, not "65536"')
    expect(refusal([], { PORT: '70000' })).toMatch(/^--port must be a whole number from 0 to 65535/)
  })

  it('a port that is not a whole number is refused: a fraction, a sign, hex, a word', () => {
    for (const port of ['1.5', '-1', '+80', '0x50', '80a', 'http']) expect(refusal([`--port=${port}`])).toBe(`--port must be a whole number from 0 to 65535, not ${JSON.stringify(port)}`)
  })

  it('limits take whole numbers of at least 1', () => {
    expect(read('--max-body', '2048').maxBodyBytes).toBe(2048)
    expect(refusal(['--max-body', '0'])).toBe('--max-body must be a whole number from 1 up, not "0"')
    expect(refusal(['--headers-timeout', '1e3'])).toBe('--headers-timeout must be a whole number from 1 up, not "1e3"')
  })

  it('one line for every mistake parseArgs finds: unknown, missing value, value for a switch, stray argument', () => {
    expect(refusal(['--prot', '9000'])).toBe('unknown option --prot (--help lists the options)')
    expect(refusal(['-p', '9000'])).toBe('unknown option -p (--help lists the options)')
    expect(refusal(['--port'])).toBe('--port needs a value')
    expect(refusal(['--port', '--quiet'])).toBe('--port needs a value')
    expect(refusal(['--quiet=yes'])).toBe('--quiet takes no value')
    expect(refusal(['9000'])).toBe("Unexpected argument '9000': every value follows its flag")
  })

  it('a flag overrides its environment variable; switches are booleans', () => {
    const config = readOptions(['--port', '9001', '--quiet'], { PORT: '9000', CACHE_CONTROL: 'no-cache' })
    expect(config.port).toBe(9001)
    expect(config.quiet).toBe(true)
    expect(config.cacheControl).toBe('no-cache')
  })
})

describe.skipIf(otherServer)('serving and logging', () => {
  it('--root serves any folder', async () => {
    site = createSite()
    server = await startServer({ reference: 'final', root: site.root })
    expectResponse(await exchange(server.port, 'GET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n'), { status: 200, body: site.files.get('/notes.txt')! })
  })

  it('one access-log line per request, in the common log format', async () => {
    site = createSite()
    server = await startServer({ reference: 'final', root: site.root })
    await exchange(server.port, 'GET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n')
    await exchange(server.port, 'GET /missing HTTP/1.1\r\nHost: x\r\n\r\n')
    const logged = () => server!.output().split('\n').filter((line) => line.includes('"GET '))
    for (let waited = 0; logged().length < 2 && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50))
    const lines = logged()
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^127\.0\.0\.1 - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \/notes\.txt HTTP\/1\.1" 200 \d+$/)
    expect(lines[1]).toMatch(/"GET \/missing HTTP\/1\.1" 404 \d+$/)
  })

  it('--quiet: no access log', async () => {
    site = createSite()
    server = await startServer({ reference: 'final', root: site.root, args: ['--quiet'] })
    await exchange(server.port, 'GET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(server.output()).not.toContain('"GET /notes.txt')
  })
})
