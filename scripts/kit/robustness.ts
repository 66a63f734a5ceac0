// What the robustness suites (chapter 11's, and final/'s fuzzing) share: one server per file on a
// fixture site, and the checks
// a careful server must pass: one answer per request, a close when the framing is in doubt, and
// nothing answered out of a body.

import { readFileSync, readdirSync, readlinkSync } from 'node:fs'
import { afterAll, beforeAll } from 'vitest'
import {
  MalformedResponse,
  RawClient,
  createSite,
  exchange,
  explain,
  expectResponse,
  header,
  parseResponse,
  startServer,
  type FixtureSite,
  type HttpResponse,
  type RunningServer,
} from './index.ts'

export interface Served {
  server: RunningServer
  site: FixtureSite
  port: number
}

/** Start `reference`'s server on a fresh fixture site before the file's tests, stop it after. Limits go in `env`. */
export function serveReference(reference: string, env: Record<string, string> = {}): Served {
  const served = {} as Served
  beforeAll(async () => {
    served.site = createSite()
    served.server = await startServer({ reference, root: served.site.root, env, args: ['--quiet'] })
    served.port = served.server.port
  })
  afterAll(async () => {
    await served.server?.stop()
    served.site?.cleanup()
  })
  return served
}

/** A GET for `target`, with Host, and any extra header lines. */
export const get = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`

export interface Expected {
  status: number | number[]
  why: string
  headers?: Record<string, string | RegExp | null>
  body?: string | RegExp | Buffer
}

/**
 * Send `request`, expect exactly one response, then the close: no second response, however many
 * requests the bytes after the bad one seem to hold (RFC 9112 §6.3: once the framing is in doubt,
 * the server answers and closes).
 */
export async function expectOneAnswerThenClose(port: number, request: string | Buffer, expected: Expected): Promise<HttpResponse> {
  const ex = await exchange(port, request)
  checkStatus(ex.client, ex.response, expected)
  expectResponse(ex, { headers: { connection: 'close', ...expected.headers }, why: expected.why, ...(expected.body === undefined ? {} : { body: expected.body }) })
  const rest = await ex.client.readUntilClose()
  if (rest.length > 0) throw new Error(explain(ex.client, expected.why, ['one response, then the close'], [`more came after it: ${JSON.stringify(rest.toString('latin1').slice(0, 120))}`]))
  return ex.response
}

/** Send `request`, expect one response and a connection left open (the request was read whole). */
export async function expectAnswerKeptOpen(port: number, request: string | Buffer, expected: Expected): Promise<RawClient> {
  const ex = await exchange(port, request)
  checkStatus(ex.client, ex.response, expected)
  expectResponse(ex, { headers: { connection: null, ...expected.headers }, why: expected.why, ...(expected.body === undefined ? {} : { body: expected.body }) })
  return ex.client
}

export function checkStatus(client: RawClient, response: HttpResponse, expected: Pick<Expected, 'status' | 'why'>): void {
  const allowed = Array.isArray(expected.status) ? expected.status : [expected.status]
  if (!allowed.includes(response.status)) {
    throw new Error(explain(client, expected.why, [`status ${allowed.join(' or ')}`], [`the status was ${response.status} ${response.reason}`]))
  }
}

/**
 * The bytes a client received, as the responses they hold, or the reason they are not a series of
 * well-formed HTTP/1.1 responses. A response to HEAD has no body although it has a Content-Length,
 * so each response is read both ways, and the one after which the rest still parses wins.
 */
export function splitResponses(data: Buffer): HttpResponse[] | string {
  if (data.length === 0) return []
  let lastProblem = 'nothing parsed'
  for (const head of [false, true]) {
    try {
      const response = parseResponse(data, { closed: true, head })
      if (!response) return 'an incomplete response'
      if (response.version !== 'HTTP/1.1') return `the status line says ${response.version}`
      const rest = splitResponses(data.subarray(response.raw.length))
      if (typeof rest !== 'string') return [response, ...rest]
      lastProblem = rest
    } catch (error) {
      if (!(error instanceof MalformedResponse)) throw error
      lastProblem = error.message
    }
  }
  return lastProblem
}

/** Send the bytes and read until the server closes; every response it sent. */
export async function allAnswers(port: number, request: string | Buffer): Promise<{ client: RawClient; responses: HttpResponse[] }> {
  const client = await RawClient.connect(port)
  await client.send(request)
  const data = await client.readUntilClose()
  const responses = splitResponses(data)
  if (typeof responses === 'string') throw new Error(explain(client, 'Every reply must be a well-formed HTTP/1.1 response.', ['well-formed responses'], [responses]))
  return { client, responses }
}

/** What each open file descriptor of a process points to (Linux /proc), or undefined without /proc. */
export function openDescriptors(pid: number): string[] | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/${pid}/fd/${fd}`)]
      } catch {
        return [] // closed while we looked
      }
    })
  } catch {
    return undefined
  }
}

/**
 * The TCP connections on `port` that process `pid` still holds a descriptor for: its sockets
 * (from /proc/PID/fd) that /proc/net/tcp lists with that local port, other than the listener.
 */
export function heldConnections(pid: number, port: number): number | undefined {
  const held = openDescriptors(pid)
  if (!held) return undefined
  const inodes = new Set(held.flatMap((target) => /^socket:\[(\d+)\]$/.exec(target)?.[1] ?? []))
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  let count = 0
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let rows: string[]
    try {
      rows = readFileSync(table, 'utf8').trim().split('\n').slice(1)
    } catch {
      continue
    }
    for (const row of rows) {
      const [, local, , state, , , , , , inode] = row.trim().split(/\s+/)
      if (local?.endsWith(`:${hexPort}`) && state !== '0A' && inodes.has(inode!)) count++ // 0A: LISTEN
    }
  }
  return count
}

/** Wait until `check` holds, polling; false if it still does not after `limitMs` (an outcome, not a timing). */
export async function eventually(check: () => boolean, limitMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + limitMs
  while (!check()) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return true
}

/** The Allow header of a response as a list of methods. */
export function allowed(response: HttpResponse): string[] | undefined {
  return header(response, 'allow')
    ?.split(',')
    .map((method) => method.trim())
    .filter(Boolean)
}
