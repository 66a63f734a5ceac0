// The servers the bench measures, and the command that starts each Node one on a port of its own
// choosing (nginx, when installed, is started by nginx.ts on a free port the bench picks).

import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface ServerFiles {
  root: string
  users: string
}

interface Common {
  /** What --servers names; "ch07-1t" is also picked by "ch07". */
  id: string
  label: string
  /** Keeps a connection open after a response (chapters 04–07 close it). */
  keepAlive: boolean
  /** Answers POST /api/login. */
  login: boolean
  /** The path of the small file: chapter 04 has no files, only its hello page at /. */
  smallPath?: string
}

export type ServerUnderTest =
  | (Common & {
      kind: 'node'
      /** Arguments after `node`; `idle` asks for limits that let 1000 idle connections stay open. */
      args(files: ServerFiles, idle: boolean): string[]
    })
  /** Not a Node program: nginx.ts starts it, with its own config, when /usr/sbin/nginx is installed. */
  | (Common & { kind: 'nginx' })

/** 10 min: the idle connections must outlive the measurement. */
export const IDLE_TIMEOUT_MS = 600_000
const tsx = (script: string, ...rest: string[]) => ['--import', 'tsx', path.join(repoRoot, script), '--port', '0', ...rest]
const benchServer = (name: string) => (files: ServerFiles, idle: boolean) =>
  tsx(`scripts/bench/servers/${name}.ts`, '--root', files.root, ...(idle ? ['--keep-alive-timeout', String(IDLE_TIMEOUT_MS)] : []))
const chapter = (folder: string, extra: (files: ServerFiles) => string[]) => (files: ServerFiles) => tsx(`chapters/${folder}/src/main.ts`, ...extra(files))
// final/ runs as users run it: the bundle that `npm run bench` builds first (prebench), with the
// V8 flags of `npm start` (read from package.json, so the two cannot drift apart).
const finalServer = (threads: number, dist = path.join(repoRoot, 'final', 'dist')) => (files: ServerFiles, idle: boolean) =>
  [...startScriptNodeFlags(), path.join(dist, 'main.js'), '--port', '0', '--quiet', '--root', files.root, '--users', files.users, '--threads', String(threads),
    // The defaults close a connection that sent nothing for 10 s, and refuse the 1001st.
    ...(idle ? ['--max-connections', '4000', '--headers-timeout', String(IDLE_TIMEOUT_MS), '--keep-alive-timeout', String(IDLE_TIMEOUT_MS)] : [])]

/** The flags between `node` and the script in package.json's start script. */
export function startScriptNodeFlags(): string[] {
  const start: string = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).scripts.start
  const words = start.split(/\s+/)
  if (words[0] !== 'node') throw new Error(`package.json's start script does not run node: ${start}`)
  return words.slice(1).filter((word) => word.startsWith('--'))
}

const node = (server: Omit<Extract<ServerUnderTest, { kind: 'node' }>, 'kind'>): ServerUnderTest => ({ kind: 'node', ...server })

export const SERVERS: ServerUnderTest[] = [
  node({ id: 'plain', label: 'plain node:http', keepAlive: true, login: false, args: benchServer('plain-server') }),
  node({ id: 'cached', label: 'cached node:http', keepAlive: true, login: false, args: benchServer('cached-server') }),
  node({ id: 'sirv', label: 'sirv', keepAlive: true, login: false, args: benchServer('sirv-server') }),
  node({ id: 'ch04', label: 'chapter 04', keepAlive: false, login: false, smallPath: '/', args: chapter('04-responses', () => []) }),
  node({ id: 'ch05', label: 'chapter 05', keepAlive: false, login: false, args: chapter('05-static-files', (f) => ['--root', f.root]) }),
  node({ id: 'ch06', label: 'chapter 06', keepAlive: false, login: true, args: chapter('06-login-post', (f) => ['--root', f.root, '--users', f.users]) }),
  node({ id: 'ch07-1t', label: 'chapter 07, 1 thread', keepAlive: false, login: true, args: chapter('07-threads', (f) => ['--root', f.root, '--users', f.users, '--threads', '1']) }),
  node({ id: 'ch07-2t', label: 'chapter 07, 2 threads', keepAlive: false, login: true, args: chapter('07-threads', (f) => ['--root', f.root, '--users', f.users, '--threads', '2']) }),
  // The practical limit: a C server made for this, one process on the same core (nginx.ts).
  { kind: 'nginx', id: 'nginx', label: 'nginx', keepAlive: true, login: false },
  node({ id: 'final', label: 'final', keepAlive: true, login: true, args: finalServer(2) }),
]

/** final/ of another commit, bundled in `dist` (final-at.ts), measured beside today's: "final-at-18aea91". */
export function addFinalAt(short: string, dist: string): ServerUnderTest {
  const server = node({ id: `final-at-${short}`, label: `final at ${short}`, keepAlive: true, login: true, args: finalServer(2, dist) })
  SERVERS.push(server)
  return server
}

/** The servers addFinalAt() added: measured wherever final/ is. */
export function finalsAt(): string[] {
  return SERVERS.filter((s) => s.id.startsWith('final-at-')).map((s) => s.id)
}

export function findServer(id: string): ServerUnderTest {
  const server = SERVERS.find((s) => s.id === id)
  if (!server) throw new Error(`no server "${id}"; the bench knows ${SERVERS.map((s) => s.id).join(', ')}`)
  return server
}

/** True when a --servers name picks this server: its id, or the id's prefix before "-". */
export function isPicked(server: ServerUnderTest, names: string[] | undefined): boolean {
  return !names || names.some((name) => server.id === name || server.id.startsWith(`${name}-`))
}
