// Assertions that fail with a transcript: what was sent, what was expected, what came back.

import { RawClient } from './raw-client.ts'
import { header, type HttpResponse } from './http-response.ts'
import { showBytes } from './show.ts'

export type SendMode = 'whole' | 'bytewise' | number[]

export interface Exchange {
  client: RawClient
  response: HttpResponse
}

/** Open a connection, send `request` (whole, byte by byte, or split at offsets), read one response. */
export async function exchange(port: number, request: string | Buffer, options: { send?: SendMode; head?: boolean; timeoutMs?: number } = {}): Promise<Exchange> {
  const client = await RawClient.connect(port)
  await sendWith(client, request, options.send ?? 'whole')
  const response = await client.readResponse({ head: options.head ?? /^HEAD /.test(request.toString()), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) })
  return { client, response }
}

/**
 * Returns once the server has read every byte already sent to it on other connections, with no
 * sleep and no guess: it answers `request` on a new connection, and a server that takes
 * connections in the order they came and reads what is waiting on every turn cannot answer a
 * later connection before it has taken in the earlier bytes.
 */
export async function serverHasRead(port: number, request: string): Promise<void> {
  const { client } = await exchange(port, request)
  client.destroy()
}

export async function sendWith(client: RawClient, data: string | Buffer, mode: SendMode): Promise<void> {
  if (mode === 'whole') await client.send(data)
  else if (mode === 'bytewise') await client.sendBytewise(data)
  else await client.sendSplit(data, mode)
}

export interface ResponseExpectation {
  status?: number
  /** A header's expected value, a pattern it must match, or null when it must be absent. */
  headers?: Record<string, string | RegExp | null>
  body?: string | RegExp | Buffer
  /** The rule this checks, shown first when it fails. */
  why?: string
}

export function expectResponse({ client, response }: Exchange, expected: ResponseExpectation): void {
  const wanted: string[] = []
  const problems: string[] = []
  if (expected.status !== undefined) {
    wanted.push(`status ${expected.status}`)
    if (response.status !== expected.status) problems.push(`the status was ${response.status} ${response.reason}`)
  }
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const got = header(response, name)
    if (value === null) {
      wanted.push(`no ${name} header`)
      if (got !== undefined) problems.push(`${name} was present: ${JSON.stringify(got)}`)
    } else if (typeof value === 'string') {
      wanted.push(`${name}: ${value}`)
      if (got !== value) problems.push(got === undefined ? `there was no ${name} header` : `${name} was ${JSON.stringify(got)}`)
    } else {
      wanted.push(`${name} matching ${value}`)
      if (got === undefined || !value.test(got)) problems.push(got === undefined ? `there was no ${name} header` : `${name} was ${JSON.stringify(got)}`)
    }
  }
  if (expected.body !== undefined) {
    const body = expected.body
    if (Buffer.isBuffer(body)) {
      wanted.push(`a body of exactly ${body.length} bytes`)
      if (!response.body.equals(body)) problems.push(`the body differed (${response.body.length} bytes)`)
    } else if (typeof body === 'string') {
      wanted.push(`the body ${JSON.stringify(body)}`)
      if (response.body.toString('utf8') !== body) problems.push(`the body was ${JSON.stringify(response.body.toString('utf8').slice(0, 300))}`)
    } else {
      wanted.push(`a body matching ${body}`)
      if (!body.test(response.body.toString('utf8'))) problems.push(`the body was ${JSON.stringify(response.body.toString('utf8').slice(0, 300))}`)
    }
  }
  if (problems.length > 0) throw new Error(explain(client, expected.why, wanted, problems))
}

/** The server must close the connection (after answering, or without a word). */
export async function expectClosed(client: RawClient, why?: string): Promise<void> {
  if (!(await client.waitForClose())) throw new Error(explain(client, why, ['the server to close the connection'], ['it was still open']))
}

/** A failure message in the workbook's format. */
export function explain(client: RawClient, why: string | undefined, wanted: string[], problems: string[]): string {
  return [
    ...(why ? [why] : []),
    `Expected: ${wanted.join('; ')}`,
    `But: ${problems.join('; ')}`,
    client.transcript(),
  ].join('\n')
}

/** Expect `actual` to equal `expected`, bytes shown with CR and LF visible when they differ. */
export function expectBytes(client: RawClient, actual: Buffer, expected: Buffer | string, why?: string): void {
  const want = typeof expected === 'string' ? Buffer.from(expected) : expected
  if (!actual.equals(want)) throw new Error(explain(client, why, [`these bytes:\n${showBytes(want)}`], [`these came back:\n${showBytes(actual)}`]))
}
