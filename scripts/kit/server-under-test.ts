// Starts the server a suite tests, on a free port; waits until it accepts connections; stops it
// after. Which server that is, first match wins:
//   WORKBOOK_SERVER=reference      the suite's own chapter (ignores a learner's folder)
//   WORKBOOK_SERVER='cmd {port}'   a command in any language, run from the repository's root
//   WORKBOOK_REFERENCE=chapters/07-threads   another chapter's code (the kept-lessons runs)
//   my-server/workbook.json        the learner's folder made by `npm run begin`
//   otherwise                      the suite's own chapter

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { waitForPort } from '../lib/port.ts'
import { killGroup } from '../lib/process-group.ts'
import { serverChapter, suiteNotForServer } from './changed-later.ts'
import { readLearnerFolder, showPath } from './learner.ts'
import { repoRoot } from './paths.ts'

export { repoRoot }

/** How long a server may take to open its port. tsx compiles on start, and CI machines are slow. */
const startTimeoutMs = Number(process.env.WORKBOOK_START_TIMEOUT_MS ?? 20_000) // 20 s
const STOP_GRACE_MS = 2_000 // then SIGKILL

type Choice =
  | { kind: 'own' }
  | { kind: 'command'; template: string; cwd: string; label: string }
  | { kind: 'folder'; folder: string; label: string }

const choice = chooseServer()

/**
 * Set, to a description of it, when the server under test is not the suite's own chapter (a
 * learner's command or folder, or another chapter): the reference code's unit tests skip themselves.
 */
export const otherServer: string | undefined = choice.kind === 'own' ? undefined : choice.label

function chooseServer(): Choice {
  const command = process.env.WORKBOOK_SERVER?.trim()
  if (command === 'reference') return { kind: 'own' }
  if (command) return { kind: 'command', template: command, cwd: repoRoot, label: 'your command in WORKBOOK_SERVER' }
  const reference = process.env.WORKBOOK_REFERENCE?.trim()
  if (reference) return { kind: 'folder', folder: reference, label: `${reference}'s server` }
  const learner = readLearnerFolder()
  if (!learner) return { kind: 'own' }
  const label = `your server in ${learner.shown}/ (chapter ${learner.chapter})`
  return learner.command ? { kind: 'command', template: learner.command, cwd: learner.dir, label } : { kind: 'folder', folder: learner.dir, label }
}

/** One line for the top of a run: which server is under test, and how to test the other one. */
export function describeServerUnderTest(rerun: string): string | undefined {
  if (choice.kind === 'own') return undefined
  const how = choice.kind === 'command' ? choice.template : `node --import tsx ${showPath(path.resolve(repoRoot, choice.folder))}/src/main.ts`
  return `Testing ${choice.label}: ${how}\nTo test the reference code instead: WORKBOOK_SERVER=reference ${rerun}`
}

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
  /**
   * Stop the server's processes (SIGSTOP to its group) and let them go on (SIGCONT): a stall, as a
   * starved host or a long GC pause makes one. The kernel meanwhile still accepts and buffers bytes.
   */
  freeze(): void
  thaw(): void
}

/** The command line that runs a folder's `src/main.ts` (a chapter's, or a learner's in TypeScript). */
export function referenceCommand(reference: string, args: string[] = []): string {
  const main = path.resolve(repoRoot, reference, 'src', 'main.ts')
  return [quote(process.execPath), '--import', 'tsx', quote(main), '--port', '{port}', ...args.map(quote)].join(' ')
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  // A suite that is not this server's to pass (a later chapter's) starts nothing: its tests skip
  // themselves (setup.ts), and a learner's server is not handed flags it has not learned yet.
  if (choice.kind !== 'own' && suiteNotForServer(options.reference, serverChapter())) return notStarted(options.reference)
  options = { ...options, ...filesForLaterChapters(options) }
  const port = await findFreePort()
  const host = '127.0.0.1'
  const flags = [...(options.root ? ['--root', '{root}'] : []), ...(options.users ? ['--users', '{users}'] : []), ...(options.args ?? [])]
  const template = choice.kind === 'command' ? choice.template : referenceCommand(choice.kind === 'folder' ? choice.folder : options.reference, flags)
  const command = fillCommand(template, port, options.root ?? '', options.users ?? '')
  const child = spawn('sh', ['-c', `exec ${command}`], {
    cwd: choice.kind === 'command' ? choice.cwd : repoRoot,
    detached: true, // its own process group, so stop() reaches every child it starts
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env, PORT: String(port), ROOT: options.root ?? '', USERS: options.users ?? '', FORCE_COLOR: '0' },
  })
  noteRunning(child)
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
  void exited.then((result) => (exit = result))

  if (!(await waitForPort(host, port, startTimeoutMs, () => exit !== undefined))) {
    killGroup(child.pid, 'SIGKILL')
    const why = exit ? `it exited (code ${exit.code}, signal ${exit.signal}) before opening the port` : `port ${port} did not accept a connection within ${startTimeoutMs} ms`
    throw new Error(`The server under test did not start: ${why}.\nCommand: ${command}\nIt printed:\n${indent(output) || '  (nothing)'}`)
  }

  return {
    port,
    host,
    command,
    process: child,
    output: () => output,
    freeze: () => killGroup(child.pid, 'SIGSTOP'),
    thaw: () => killGroup(child.pid, 'SIGCONT'),
    async stop(signal = 'SIGTERM') {
      if (exit) return exit
      killGroup(child.pid, 'SIGCONT') // a frozen server cannot hear the signal
      killGroup(child.pid, signal)
      const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), STOP_GRACE_MS)
      const result = await exited
      clearTimeout(timer)
      killGroup(child.pid, 'SIGKILL') // anything the server left behind in its group
      return result
    },
  }
}

const ROOT_FROM_CHAPTER = 5 // a server takes --root {root} from chapter 5 on
const USERS_FROM_CHAPTER = 6 // and --users {users} from chapter 6 on
/** What an earlier chapter's suite does not prepare: the home page its tests ask for (a UTF-8 page, as chapter 4's is). */
const HOME_PAGE = '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Hello</title></head>\n<body><h1>Hello, World · 你好，世界</h1></body>\n</html>\n'

/**
 * Chapter 3's and 4's suites start their server with no document root and no users file; a later
 * chapter's server needs both to start. When the server under test stands at chapter 5 or later,
 * it gets a small root of the kit's (one home page) and an empty users file, like every other flag
 * a chapter's suite hands over.
 */
function filesForLaterChapters(options: StartOptions): Pick<StartOptions, 'root' | 'users'> {
  const position = choice.kind === 'own' ? undefined : serverChapter()
  if (position === undefined) return {}
  let dir: string | undefined
  const scratch = () => (dir ??= mkdtempSync(path.join(tmpdir(), 'workbook-kit-')))
  const root = options.root ?? (position >= ROOT_FROM_CHAPTER ? path.join(scratch(), 'site') : undefined)
  if (root && !options.root) {
    mkdirSync(root)
    writeFileSync(path.join(root, 'index.html'), HOME_PAGE)
  }
  const users = options.users ?? (position >= USERS_FROM_CHAPTER ? path.join(scratch(), 'users.json') : undefined)
  if (users && !options.users) writeFileSync(users, '[]\n')
  if (dir) process.once('exit', () => rmSync(dir!, { recursive: true, force: true }))
  return { ...(root ? { root } : {}), ...(users ? { users } : {}) }
}

/**
 * A server leads its own process group, so a run's SIGTERM to vitest's group does not reach it;
 * and a run cut short (--bail, a timeout) ends its workers before their afterAll stops it. So,
 * when run-suite.ts names a folder, each server notes its group there while it runs, and the run
 * stops whatever is still noted when vitest is done.
 */
function noteRunning(child: ChildProcess): void {
  const dir = process.env.WORKBOOK_SERVERS_DIR
  if (!dir || child.pid === undefined) return
  const note = path.join(dir, String(child.pid))
  writeFileSync(note, '')
  child.once('exit', () => rmSync(note, { force: true }))
}

/** The stand-in for a server that was not started: every test that would use it is skipped first. */
function notStarted(reference: string): RunningServer {
  const command = `(none: ${reference}'s suite does not apply to the server under test)`
  return { port: 0, host: '127.0.0.1', command, process: undefined as unknown as ChildProcess, output: () => '', freeze() {}, thaw() {}, stop: async () => ({ code: 0, signal: null }) }
}

/** A command template with {port}, {root} and {users} filled in, the paths quoted for the shell. */
export function fillCommand(template: string, port: number, root: string, users: string): string {
  return template.replaceAll('{port}', String(port)).replaceAll('{root}', quote(root)).replaceAll('{users}', quote(users))
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

function quote(arg: string): string {
  return /^[\w@%+=:,./{}-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`
}

function indent(text: string): string {
  return text.trimEnd().split('\n').map((line) => (line ? `  ${line}` : line)).join('\n')
}
