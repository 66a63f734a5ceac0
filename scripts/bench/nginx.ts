// nginx as the practical limit: Debian's nginx-light, when installed, serving the bench's files
// from a private prefix (its config, pid file, log and temp folders in a new temporary folder),
// so it needs no root, touches nothing else and runs beside any other nginx. Never the service.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { findFreePort } from '../kit/server-under-test.ts'
import { waitForPort } from '../lib/port.ts'
import { killProcess, startProcess, stopProcess, type Started } from './processes.ts'
import { IDLE_CONNECTIONS } from './scenarios.ts'
import { IDLE_TIMEOUT_MS } from './servers-under-test.ts'

export const NGINX = '/usr/sbin/nginx'
export const NGINX_INSTALL = 'apt-get install nginx-light'

const START_TIMEOUT_MS = 10_000
const BIND_TRIES = 3 // the free port was taken between findFreePort and nginx's bind: pick another

/** One line for the bench's output when nginx cannot take part, or undefined when it can. */
export function nginxMissing(): string | undefined {
  if (existsSync(NGINX)) return undefined
  return `nginx: not installed (no ${NGINX}), skipped; \`${NGINX_INSTALL}\` adds it as the practical limit`
}

/** "1.22.1", from `nginx -v` (which prints to stderr). */
export function nginxVersion(): string | undefined {
  const { stdout, stderr } = spawnSync(NGINX, ['-v'], { encoding: 'utf8' })
  return /nginx\/(\S+)/.exec(`${stderr ?? ''}${stdout ?? ''}`)?.[1]
}

export interface NginxPlace {
  /** The document root: the bench's fixture, the one path outside the prefix. */
  root: string
  port: number
  /** A folder of its own: everything nginx writes goes in here. */
  prefix: string
}

/** The config file the bench runs nginx with: every directive says why it is there. */
export function nginxConfig({ root, port, prefix }: NginxPlace): string {
  const inPrefix = (name: string) => quoted(path.join(prefix, name))
  const d = (indent: number, directive: string, why: string) => `${' '.repeat(indent)}${directive};  # ${why}`
  return [
    '# Written by scripts/bench/nginx.ts for one cell of `npm run bench`, and deleted after it.',
    d(0, 'daemon off', 'in the foreground: the bench holds the process and kills its process group'),
    d(0, 'master_process off', 'the one process serves: the bench pins it, reads its peak RSS and kills it by its pid'),
    d(0, 'worker_processes 1', 'one worker, as every server here has one core (with master_process off, one runs anyway)'),
    d(0, `pid ${inPrefix('nginx.pid')}`, 'in the prefix, not /run; written once the port is bound, so the bench waits for it'),
    d(0, `error_log ${inPrefix('error.log')} warn`, 'in the prefix, not /var/log'),
    '',
    'events {',
    d(4, 'worker_connections 4096', `${IDLE_CONNECTIONS} idle connections, the load's 50, and room for those closing`),
    '}',
    '',
    'http {',
    d(4, 'access_log off', 'no line per request (final/ runs with --quiet), and nothing in /var/log'),
    d(4, `client_body_temp_path ${inPrefix('client_body_temp')}`, 'every temp path in the prefix, not /var/lib/nginx'),
    d(4, `proxy_temp_path ${inPrefix('proxy_temp')}`, 'unused for files, but nginx makes the folder at start: in the prefix'),
    d(4, `fastcgi_temp_path ${inPrefix('fastcgi_temp')}`, 'the same'),
    d(4, `uwsgi_temp_path ${inPrefix('uwsgi_temp')}`, 'the same'),
    d(4, `scgi_temp_path ${inPrefix('scgi_temp')}`, 'the same'),
    d(4, 'default_type application/octet-stream', 'the 1 MiB .bin; .html is text/html by the built-in types, without /etc/nginx/mime.types'),
    d(4, 'sendfile on', 'file to socket inside the kernel, as a user sets it'),
    d(4, 'tcp_nopush on', 'with sendfile: the headers and the first bytes of the file in full packets'),
    d(4, 'keepalive_requests 100000000', 'the default (1000) would close every load connection mid-measurement'),
    d(4, `keepalive_timeout ${IDLE_TIMEOUT_MS / 1000}s`, 'the idle connections outlive the measurement, as the other servers are told'),
    '',
    '    server {',
    d(8, `listen 127.0.0.1:${port}`, "the port the bench picked (nginx cannot listen on port 0), on loopback like the others"),
    d(8, `root ${quoted(root)}`, 'the fixture: the files every server in the bench serves'),
    '    }',
    '}',
    '',
  ].join('\n')
}

/** A path as one nginx config word: quoted when it holds more than letters, digits and ./_- . */
function quoted(file: string): string {
  if (/[$\n\\]/.test(file)) throw new Error(`nginx's config cannot hold this path as it is (a $, newline or backslash): ${JSON.stringify(file)}`)
  return /^[\w./-]+$/.test(file) ? file : `"${file.replaceAll('"', '\\"')}"`
}

export interface RunningNginx {
  process: Started
  port: number
  prefix: string
  /** The command line, for the bench's output. */
  command: string
  /** SIGKILL its process group, wait until it is gone, delete the prefix. */
  stop(): Promise<void>
}

/** Start nginx on `root`, on a free port, on `cpus` (taskset) when set; resolves once it accepts connections. */
export async function startNginx(root: string, cpus: string | undefined): Promise<RunningNginx> {
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'workbook-bench-nginx-'))
  const removePrefix = () => rmSync(prefix, { recursive: true, force: true })
  process.on('exit', removePrefix) // Ctrl-C: processes.ts kills the group from its exit handler first, then this runs
  const forget = () => {
    removePrefix()
    process.off('exit', removePrefix)
  }
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await findFreePort()
      const config = path.join(prefix, 'nginx.conf')
      writeFileSync(config, nginxConfig({ root, port, prefix }))
      rmSync(path.join(prefix, 'nginx.pid'), { force: true })
      // -p: the prefix for relative paths; -c: our config; -e: errors before the config is read go to stderr (the bench shows them).
      const args = ['-p', `${prefix}/`, '-c', config, '-e', 'stderr']
      const started = startProcess(NGINX, args, cpus)
      const command = `${cpus ? `taskset -c ${cpus} ` : ''}${NGINX} ${args.join(' ')}`
      const ready = await waitUntilListening(started, prefix, port)
      if (ready === true) {
        return {
          process: started,
          port,
          prefix,
          command,
          async stop() {
            await stopProcess(started)
            forget()
          },
        }
      }
      killProcess(started)
      await started.exited
      if (!/Address already in use/.test(started.output()) || attempt === BIND_TRIES) {
        const log = readErrorLog(prefix)
        throw new Error(`nginx did not start (${ready}). Command: ${command}\nIt printed:\n${started.output() || '(nothing)'}${log ? `\nerror.log:\n${log}` : ''}`)
      }
    }
  } catch (error) {
    forget()
    throw error
  }
}

/**
 * nginx prints nothing when it starts. It writes its pid file once its port is bound: our pid in
 * our pid file means the port is ours (not another program's that took it first); then the port
 * must accept a connection. True, or why not.
 */
async function waitUntilListening(started: Started, prefix: string, port: number): Promise<true | string> {
  let exited = false
  void started.exited.then(() => (exited = true))
  const deadline = Date.now() + START_TIMEOUT_MS
  const pidFile = path.join(prefix, 'nginx.pid')
  while (readPid(pidFile) !== started.child.pid) {
    if (exited) return `it exited with ${started.child.exitCode ?? started.child.signalCode}`
    if (Date.now() > deadline) return `no pid file after ${START_TIMEOUT_MS / 1000} s`
    await sleep(20)
  }
  if (!(await waitForPort('127.0.0.1', port, Math.max(0, deadline - Date.now()), () => exited))) return `port ${port} did not accept a connection`
  return true
}

function readPid(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim())
  } catch {
    return undefined
  }
}

function readErrorLog(prefix: string): string {
  try {
    return readFileSync(path.join(prefix, 'error.log'), 'utf8').trim()
  } catch {
    return ''
  }
}
