// final/'s handler driven in-process, with no kernel and no wrk: 50 connections made of a fake
// socket each, every one sent the same kept-alive GET again as soon as its response is whole. It
// measures only final/'s own JavaScript per request, which wrk over loopback cannot separate from
// the kernel's share. instructions.ts counts its instructions under Valgrind; the same run with
// plain Node prints the CPU time too.

import { EventEmitter } from 'node:events'

/** What the harness needs of a final/ (today's, or another commit's): its classes, as main.ts builds them. */
export interface FinalModules {
  SimpleHTTPServer: new (...args: any[]) => { acceptRequest(socket: any): void }
  SimpleHTTPRequestHandler: unknown
  loadUsers(file: string): unknown
  WorkerPool: new (threads: number, script: URL) => unknown
}

export interface InProcessRun {
  /** Responses counted after the warm-up, every one the same 200 as the first. */
  measured: number
  /** User CPU time per measured response, in µs (noisy on a shared host; instructions are not). */
  userMicros: number
  /** The first response, whole: a check that the harness measured the answer it meant to. */
  firstResponse: string
}

const CONNECTIONS = 50

/** A net.Socket as far as final/ uses one: 'data' in, write() out, nothing on a wire. */
class FakeSocket extends EventEmitter {
  destroyed = false
  readableEnded = false
  writableLength = 0
  remoteAddress = '127.0.0.1'
  remotePort = 40000
  constructor(private readonly onWrite: (socket: FakeSocket, data: Buffer | string) => void) {
    super()
  }
  write(data: Buffer | string, callback?: () => void): boolean {
    this.onWrite(this, data)
    callback?.()
    return true
  }
  cork(): void {}
  uncork(): void {}
  pause(): this { return this }
  resume(): this { return this }
  setNoDelay(): this { return this }
  end(): this { return this }
  destroy(): this {
    this.destroyed = true
    return this
  }
}

/**
 * `requests` GETs of `target` (warmup of them not measured), over 50 kept-alive connections at
 * once. Throws unless every response is the same 200 as the first, byte for byte in length.
 */
export async function runKeptAlive(final: FinalModules, options: { root: string; users: string; target: string; requests: number; warmup: number }): Promise<InProcessRun> {
  const request = Buffer.from(`GET ${options.target} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n`, 'latin1')
  const pool = new final.WorkerPool(1, new URL('file:///no-login-in-this-run.js')) // started at the first login: never
  const server = new final.SimpleHTTPServer({ host: '127.0.0.1', port: 0 }, final.SimpleHTTPRequestHandler, options.root, final.loadUsers(options.users), pool, {})
  let firstResponse = ''
  let responseBytes = 0 // the first response's length: a Date is always 29 characters, so every 200 has it
  let answered = 0
  let started: NodeJS.CpuUsage | undefined
  let finish: (error?: Error) => void = () => {}
  const done = new Promise<void>((resolve, reject) => (finish = (error) => (error ? reject(error) : resolve())))
  let firstAnswered: () => void = () => {}
  const first = new Promise<void>((resolve) => (firstAnswered = resolve))
  const received = new Map<FakeSocket, number>()

  const onWrite = (socket: FakeSocket, data: Buffer | string) => {
    if (responseBytes === 0) {
      firstResponse += Buffer.from(data).toString('latin1')
      const headEnd = firstResponse.indexOf('\r\n\r\n')
      const length = /\r\ncontent-length: *(\d+)/i.exec(firstResponse)
      if (headEnd === -1 || !length || firstResponse.length < headEnd + 4 + Number(length[1])) return
      if (!firstResponse.startsWith('HTTP/1.1 200 ')) return finish(new Error(`GET ${options.target} was answered ${JSON.stringify(firstResponse.slice(0, 200))}`))
      responseBytes = firstResponse.length
      firstAnswered()
    } else {
      const bytes = (received.get(socket) ?? 0) + Buffer.byteLength(data)
      if (bytes < responseBytes) return void received.set(socket, bytes)
      if (bytes > responseBytes) return finish(new Error(`a response of ${bytes} bytes where the first had ${responseBytes}: not the same answer`))
      received.set(socket, 0)
    }
    answered++
    if (answered === options.warmup) started = process.cpuUsage()
    if (answered === options.requests) finish()
    if (answered < options.requests) setImmediate(() => socket.emit('data', request)) // the next request, as the next event
  }

  const sockets = Array.from({ length: CONNECTIONS }, () => new FakeSocket(onWrite))
  for (const socket of sockets) server.acceptRequest(socket)
  sockets[0]!.emit('data', request) // one first, so that the file is cached before the others ask
  await Promise.race([first, done]) // done settles first only with an error
  for (const socket of sockets.slice(1)) socket.emit('data', request)
  await done
  const used = process.cpuUsage(started)
  const measured = options.requests - options.warmup
  return { measured, userMicros: used.user / measured, firstResponse }
}
