// The servers the bench measures, and the command that starts each on a port of its own choosing.

import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface ServerFiles {
  root: string
  users: string
}

export interface ServerUnderTest {
  /** What --servers names; "ch07-1t" is also picked by "ch07". */
  id: string
  label: string
  /** Keeps a connection open after a response (chapters 04–07 close it). */
  keepAlive: boolean
  /** Answers POST /api/login. */
  login: boolean
  /** The path of the small file: chapter 04 has no files, only its hello page at /. */
  smallPath?: string
  /** Arguments after `node`; `idle` asks for limits that let 1000 idle connections stay open. */
  args(files: ServerFiles, idle: boolean): string[]
}

const IDLE_TIMEOUT_MS = '600000' // 10 min: the idle connections must outlive the measurement
const tsx = (script: string, ...rest: string[]) => ['--import', 'tsx', path.join(repoRoot, script), '--port', '0', ...rest]
const benchServer = (name: string) => (files: ServerFiles, idle: boolean) =>
  tsx(`scripts/bench/servers/${name}.ts`, '--root', files.root, ...(idle ? ['--keep-alive-timeout', IDLE_TIMEOUT_MS] : []))
const chapter = (folder: string, extra: (files: ServerFiles) => string[]) => (files: ServerFiles) => tsx(`chapters/${folder}/src/main.ts`, ...extra(files))
// final/ runs as users run it: the bundle that `npm run bench` builds first (prebench), with the
// V8 flags of `npm start` (read from package.json, so the two cannot drift apart).
const finalServer = (threads: number) => (files: ServerFiles, idle: boolean) =>
  [...startScriptNodeFlags(), path.join(repoRoot, 'final', 'dist', 'main.js'), '--port', '0', '--quiet', '--root', files.root, '--users', files.users, '--threads', String(threads),
    // The defaults close a connection that sent nothing for 10 s, and refuse the 1001st.
    ...(idle ? ['--max-connections', '4000', '--headers-timeout', IDLE_TIMEOUT_MS, '--keep-alive-timeout', IDLE_TIMEOUT_MS] : [])]

/** The flags between `node` and the script in package.json's start script. */
export function startScriptNodeFlags(): string[] {
  const start: string = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).scripts.start
  const words = start.split(/\s+/)
  if (words[0] !== 'node') throw new Error(`package.json's start script does not run node: ${start}`)
  return words.slice(1).filter((word) => word.startsWith('--'))
}

export const SERVERS: ServerUnderTest[] = [
  { id: 'plain', label: 'plain node:http', keepAlive: true, login: false, args: benchServer('plain-server') },
  { id: 'cached', label: 'cached node:http', keepAlive: true, login: false, args: benchServer('cached-server') },
  { id: 'sirv', label: 'sirv', keepAlive: true, login: false, args: benchServer('sirv-server') },
  { id: 'ch04', label: 'chapter 04', keepAlive: false, login: false, smallPath: '/', args: chapter('04-responses', () => []) },
  { id: 'ch05', label: 'chapter 05', keepAlive: false, login: false, args: chapter('05-static-files', (f) => ['--root', f.root]) },
  { id: 'ch06', label: 'chapter 06', keepAlive: false, login: true, args: chapter('06-login-post', (f) => ['--root', f.root, '--users', f.users]) },
  { id: 'ch07-1t', label: 'chapter 07, 1 thread', keepAlive: false, login: true, args: chapter('07-threads', (f) => ['--root', f.root, '--users', f.users, '--threads', '1']) },
  { id: 'ch07-2t', label: 'chapter 07, 2 threads', keepAlive: false, login: true, args: chapter('07-threads', (f) => ['--root', f.root, '--users', f.users, '--threads', '2']) },
  { id: 'final', label: 'final', keepAlive: true, login: true, args: finalServer(2) },
]

export function findServer(id: string): ServerUnderTest {
  const server = SERVERS.find((s) => s.id === id)
  if (!server) throw new Error(`no server "${id}"; the bench knows ${SERVERS.map((s) => s.id).join(', ')}`)
  return server
}

/** True when a --servers name picks this server: its id, or the id's prefix before "-". */
export function isPicked(server: ServerUnderTest, names: string[] | undefined): boolean {
  return !names || names.some((name) => server.id === name || server.id.startsWith(`${name}-`))
}
