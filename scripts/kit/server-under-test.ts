// Starts the server a suite tests: the chapter's reference code, or the learner's own command
// from WORKBOOK_SERVER, on a free port; waits until it accepts connections; stops it after.

import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** How long a server may take to open its port. tsx compiles on start, and CI machines are slow. */
const startTimeoutMs = Number(process.env.WORKBOOK_START_TIMEOUT_MS ?? 20_000) // 20 s
const STOP_GRACE_MS = 2_000 // then SIGKILL

/** Set when a learner's server is under test: reference-only unit tests skip themselves. */
export const learnerCommand = process.env.WORKBOOK_SERVER?.trim() || undefined

export interface StartOptions {
  /** The reference code to run by default: a folder such as `chapters/03-http-parse` or `final`. */
  reference: string
  /** The document root, from chapter 05 on: filled in as {root} and ROOT. */
  root?: string
  /** The users file, from chapter 06 on: filled in as {users} and USERS. */
  users?: string
  /** Extra flags for the reference server (a learner's command gets only the environment). */
  args?: string[]
  /** Extra environment for either. */
  env?: Record<string, string>
}

export interface RunningServer {
  port: number
  host: string
  command: string
  process: ChildProcess
  /** Everything the server printed so far. */
  output(): string
  /** SIGTERM (SIGINT with `signal`), wait for the exit, SIGKILL the process group if it hangs. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** The command line that runs a reference folder's `src/main.ts`. */
export function referenceCommand(reference: string, args: string[] = []): string {
  const main = path.join(repoRoot, reference, 'src', 'main.ts')
  return [quote(process.execPath), '--import', 'tsx', quote(main), '--port', '{port}', ...args.map(quote)].join(' ')
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const port = await findFreePort()
  const host = '127.0.0.1'
  const template =
    learnerCommand ??
    referenceCommand(options.reference, [...(options.root ? ['--root', '{root}'] : []), ...(options.users ? ['--users', '{users}'] : []), ...(options.args ?? [])])
  const command = template
    .replaceAll('{port}', String(port))
    .replaceAll('{root}', quote(options.root ?? ''))
    .replaceAll('{users}', quote(options.users ?? ''))
  const child = spawn('sh', ['-c', `exec ${command}`], {
    cwd: repoRoot,
    detached: true, // its own process group, so stop() reaches every child it starts
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env, PORT: String(port), ROOT: options.root ?? '', USERS: options.users ?? '', FORCE_COLOR: '0' },
  })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
  void exited.then((result) => (exit = result))

  const started = Date.now()
  while (!(await canConnect(port, host))) {
    if (exit || Date.now() - started > startTimeoutMs) {
      killGroup(child, 'SIGKILL')
      const why = exit ? `it exited (code ${exit.code}, signal ${exit.signal}) before opening the port` : `port ${port} did not accept a connection within ${startTimeoutMs} ms`
      throw new Error(`The server under test did not start: ${why}.\nCommand: ${command}\nIt printed:\n${indent(output) || '  (nothing)'}`)
    }
    await sleep(50)
  }

  return {
    port,
    host,
    command,
    process: child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (exit) return exit
      killGroup(child, signal)
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_GRACE_MS)
      const result = await exited
      clearTimeout(timer)
      killGroup(child, 'SIGKILL') // anything the server left behind in its group
      return result
    },
  }
}

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.unref()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

function canConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal)
  } catch {
    // already gone
  }
}

function quote(arg: string): string {
  return /^[\w@%+=:,./{}-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`
}

function indent(text: string): string {
  return text.trimEnd().split('\n').map((line) => (line ? `  ${line}` : line)).join('\n')
}
