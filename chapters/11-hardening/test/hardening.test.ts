// Chapter 11, black-box: what a client on the open internet can do to a server. A head or a body
// dribbled a byte at a time is cut off at its deadline (HEADERS_TIMEOUT_MS and REQUEST_TIMEOUT_MS
// are 800 ms here; your server should read them too); a head that mixes CRLF and bare LF, and
// bytes that cannot start a request (a TLS handshake, a control byte), get 400 and the close at
// once; every request is one line of the access log. Outcomes are checked, never durations.

import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { RawClient, createSite, exchange, expectClosed, expectResponse, hint, otherServer, repoRoot, startServer } from '../../../scripts/kit/index.ts'
import { allAnswers, eventually, expectOneAnswerThenClose, get, serveChapter } from './wire.ts'

const served = serveChapter({ HEADERS_TIMEOUT_MS: '800', REQUEST_TIMEOUT_MS: '800' })
const FOLLOWER = get('/notes.txt') // must never be answered after a request the server refused

/** Send `text` one byte every `everyMs` until the server closes; how many bytes went out. */
async function dribble(client: RawClient, text: string, everyMs = 100): Promise<number> {
  let sent = 0
  for (; sent < text.length && !client.isClosed; sent++) {
    await client.send(text[sent]!).catch(() => {})
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
  return sent
}

describe('deadlines', hint('chapters/11-hardening/README.md#deadlines-not-idle-timers'), () => {
  it('a head dribbled a byte at a time (slowloris) gets 408 and the close, and the next client is served', async () => {
    const head = `GET /notes.txt HTTP/1.1\r\nHost: localhost\r\nX-Slow: ${'z'.repeat(200)}\r\n\r\n`
    const client = await RawClient.connect(served.port)
    const sending = dribble(client, head)
    const response = await client.readResponse({ timeoutMs: 15_000 })
    expectResponse({ client, response }, {
      status: 408,
      headers: { connection: 'close' },
      why: 'RFC 9110 §15.5.9: the head has one deadline from its first byte (HEADERS_TIMEOUT_MS=800 here), however often a byte comes; an idle timer that every byte resets would wait for the whole 25 s.',
    })
    await expectClosed(client, 'After the 408 the server closes the connection.')
    expect(await sending, 'The server gave up before the client had sent its head').toBeLessThan(head.length)
    const next = await exchange(served.port, get('/notes.txt'))
    expectResponse(next, { status: 200, body: served.site.files.get('/notes.txt')!, why: 'The server goes on serving.' })
  })

  it('a body dribbled a byte at a time gets 408 and the close at the request timeout', async () => {
    const body = `{"pad":"${'p'.repeat(200)}"}`
    const client = await RawClient.connect(served.port)
    await client.send(`POST /api/logout HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${body.length}\r\n\r\n`)
    const sending = dribble(client, body)
    const response = await client.readResponse({ timeoutMs: 15_000 })
    expectResponse({ client, response }, {
      status: 408,
      headers: { connection: 'close' },
      why: 'RFC 9110 §15.5.9: the body too has one deadline from its first byte (REQUEST_TIMEOUT_MS=800 here), not an idle timer that each byte resets.',
    })
    expect(await sending, 'The server gave up before the client had sent its body').toBeLessThan(body.length)
  })

  it('ten slow clients do not stop a normal client from being served, and are all cut off', async () => {
    const head = `GET /notes.txt HTTP/1.1\r\nHost: localhost\r\nX-Slow: ${'z'.repeat(200)}\r\n\r\n`
    const slow = await Promise.all(Array.from({ length: 10 }, () => RawClient.connect(served.port)))
    const sending = slow.map((client) => dribble(client, head))
    try {
      const { client, responses } = await allAnswers(served.port, get('/notes.txt', 'Connection: close\r\n'))
      expectResponse({ client, response: responses[0]! }, { status: 200, why: 'Slow clients wait on their own deadlines; they must not hold up anyone else.' })
      expect(await eventually(() => slow.every((each) => each.isClosed), 15_000), 'Every slow client is closed once its head is past its deadline').toBe(true)
      for (const each of slow) expect(each.received.toString('latin1'), 'A slow client gets 408 Request Timeout').toMatch(/^HTTP\/1\.1 408 /)
    } finally {
      slow.forEach((each) => each.destroy())
      await Promise.all(sending)
    }
  })
})

describe('mixed line endings', hint('chapters/11-hardening/README.md#mixed-line-endings'), () => {
  it('a CRLF head with one header line ended by a bare LF → 400, close, nothing after it answered', async () => {
    await expectOneAnswerThenClose(served.port, `GET /notes.txt HTTP/1.1\r\nHost: localhost\r\nX-Pad: a\nContent-Length: ${FOLLOWER.length}\r\n\r\n${FOLLOWER}`, {
      status: 400,
      why: 'RFC 9112 §2.2 lets a recipient take a bare LF for a line end, not every recipient does: a proxy that reads "X-Pad: a\\nContent-Length: 25" as one field and a server that reads two disagree on where the request ends. One head, one kind of line end.',
    })
  })

  it('a bare-LF request line followed by CRLF header lines → 400, close', async () => {
    await expectOneAnswerThenClose(served.port, `GET /notes.txt HTTP/1.1\nHost: localhost\r\n\r\n${FOLLOWER}`, {
      status: 400,
      why: 'RFC 9112 §2.2: either every line of the head ends in CRLF, or every line in a bare LF; a mix is refused.',
    })
  })

  it('a head of bare LFs only is still served, and one of CRLFs only', async () => {
    const client = await RawClient.connect(served.port)
    await client.send(`GET /notes.txt HTTP/1.1\nHost: localhost\n\n${get('/style.css')}`)
    const why = 'RFC 9112 §2.2: a recipient MAY take a bare LF as a line end (chapter 3); a head that keeps to one kind is fine.'
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: served.site.files.get('/notes.txt')!, why })
    expectResponse({ client, response: await client.readResponse() }, { status: 200, body: served.site.files.get('/style.css')!, why })
    client.destroy()
  })

  it('empty lines before a request set no rule: CRLF, then a bare-LF request, is served', async () => {
    const client = await RawClient.connect(served.port)
    await client.send('\r\nGET /notes.txt HTTP/1.1\nHost: localhost\n\n')
    expectResponse({ client, response: await client.readResponse() }, { status: 200, why: 'RFC 9112 §2.2: empty lines before the request line are ignored; the request line sets the kind of line end.' })
    client.destroy()
  })
})

// A TLS 1.2 ClientHello as curl sends it to https://, cut short, without a single 0x0a in it: a
// server that waits for a line end would wait until its deadline.
const CLIENT_HELLO = Buffer.from([
  0x16, 0x03, 0x01, 0x00, 0xf4, 0x01, 0x00, 0x00, 0xf0, 0x03, 0x03, ...Array.from({ length: 32 }, (_, i) => 0x20 + i), 0x00, 0x00, 0x3e, 0x13, 0x02, 0x13, 0x03, 0x13, 0x01, 0xc0, 0x2c,
  0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa, 0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e, 0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b, 0xc0, 0x23, 0xc0, 0x27, 0x00, 0x67,
])

describe('bytes that start no request', hint('chapters/11-hardening/README.md#bytes-that-start-no-request'), () => {
  it('a TLS ClientHello on the plain port → 400 at once, in plain HTTP, then the close', async () => {
    const response = await expectOneAnswerThenClose(served.port, CLIENT_HELLO, {
      status: 400,
      why: 'RFC 8446 §5.1: a TLS record starts with the byte 0x16, which no request line does (RFC 9112 §3); the server can tell at the first byte, and need not wait for a line end that may never come.',
    })
    expect(CLIENT_HELLO.includes(0x0a), 'the hello has no line end in it').toBe(false)
    expect(response.raw.toString('latin1'), 'the answer is plain HTTP: the client learns it spoke TLS to a plain port').toMatch(/^HTTP\/1\.1 400 /)
  })

  for (const [name, first] of [['a NUL', 0x00], ['a control byte (0x01)', 0x01], ['an escape (0x1b)', 0x1b], ['a DEL', 0x7f]] as const) {
    it(`${name} as the first byte → 400 at once, then the close`, async () => {
      await expectOneAnswerThenClose(served.port, Buffer.concat([Buffer.from([first]), Buffer.from('GET /notes.txt HTTP/1.1 and no line end')]), {
        status: 400,
        why: 'RFC 9112 §3: a request line starts with a method, a token (RFC 9110 §9.1); a control byte cannot start one, so there is nothing to wait for.',
      })
    })
  }

  it('the server still answers a good request after all that', async () => {
    expectResponse(await exchange(served.port, get('/notes.txt')), { status: 200, body: served.site.files.get('/notes.txt')!, why: 'No garbage may hurt the server.' })
  })
})

describe('the access log', hint('chapters/11-hardening/README.md#the-access-log'), () => {
  it('one line per request in the common log format, the client\'s quotes escaped', async () => {
    const site = createSite()
    const server = await startServer({ reference: 'chapters/11-hardening', root: site.root })
    try {
      await exchange(server.port, get('/notes.txt'))
      await exchange(server.port, 'GET /say"hi" HTTP/1.1\r\nHost: x\r\n\r\n')
      const logged = () => server.output().split('\n').filter((line) => line.includes('"GET '))
      await eventually(() => logged().length >= 2, 5_000)
      const lines = logged()
      const why = 'The common log format: host, "-", "-", [day/month/year:time zone], "the request line", status, body bytes.'
      expect(lines, why).toHaveLength(2)
      expect(lines[0], why).toMatch(new RegExp(`^127\\.0\\.0\\.1 - - \\[\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000\\] "GET /notes\\.txt HTTP/1\\.1" 200 ${served.site.files.get('/notes.txt')!.length}$`))
      expect(lines[1], 'A quote in the request line is escaped (\\x22): a client cannot end the quoted field early and forge the rest of the line.').toMatch(/"GET \/say\\x22hi\\x22 HTTP\/1\.1" 404 \d+$/)
    } finally {
      await server.stop()
      site.cleanup()
    }
  })
})

const main = path.join(import.meta.dirname, '..', 'src', 'main.ts')
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 })

describe.skipIf(otherServer)('the command line', hint('chapters/11-hardening/README.md#the-command-line'), () => {
  it('--help lists every flag, with its environment variable and its default, and exits 0', () => {
    const { status, stdout } = run('--help')
    expect(status).toBe(0)
    for (const [flag, env] of [['--port', 'PORT'], ['--root', 'ROOT'], ['--users', 'USERS'], ['--threads', 'THREADS'], ['--cache-control', 'CACHE_CONTROL'], ['--max-request-line', 'MAX_REQUEST_LINE_BYTES'], ['--max-header-size', 'MAX_HEADER_BYTES'], ['--max-header-fields', 'MAX_HEADER_FIELDS'], ['--max-body', 'MAX_BODY_BYTES'], ['--headers-timeout', 'HEADERS_TIMEOUT_MS'], ['--request-timeout', 'REQUEST_TIMEOUT_MS'], ['--keep-alive-timeout', 'KEEP_ALIVE_TIMEOUT_MS'], ['--max-connections', 'MAX_CONNECTIONS']]) {
      expect(stdout.split('\n').find((line) => line.trimStart().startsWith(`${flag} `)), `${flag} is listed with ${env} and a default`).toMatch(new RegExp(`default .*${env}`))
    }
    expect(stdout).toContain('--host')
    expect(stdout).toContain('--quiet')
  })

  it('an unknown flag: one line that names it, exit code 2, no stack trace', () => {
    const { status, stderr } = run('--prot', '9000')
    expect(status).toBe(2)
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toContain('--prot')
  })

  it('a bad value names its flag: a port past 65535, a timeout that is not a number', () => {
    for (const [flag, value] of [['--port', '70000'], ['--port', '-1'], ['--headers-timeout', 'soon'], ['--max-body', '1.5']]) {
      const { status, stderr } = run(flag, value)
      expect(status, `${flag} ${value}`).toBe(2)
      expect(stderr.trim().split('\n'), `${flag} ${value}`).toHaveLength(1)
      expect(stderr, `${flag} ${value}`).toContain(flag)
    }
  })

  it('--quiet: no access log', async () => {
    const site = createSite()
    const server = await startServer({ reference: 'chapters/11-hardening', root: site.root, args: ['--quiet'] })
    try {
      await exchange(server.port, get('/notes.txt'))
      const quiet = await eventually(() => server.output().includes('"GET /notes.txt'), 500)
      expect(quiet, 'with --quiet, no line for the request').toBe(false)
    } finally {
      await server.stop()
      site.cleanup()
    }
  })
})
