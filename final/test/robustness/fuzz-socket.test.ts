// final/, robustness: property test over real sockets. Valid, pipelined and mutated requests, cut
// into random pieces, go to one running server, ten connections at a time. Every reply must be a
// series of well-formed HTTP/1.1 responses (or nothing) followed by a clean close; no 5xx for a
// client's garbage except 501 and 505, which are honest answers to an unknown method, transfer
// coding or version; never a byte from outside the root; and the server stays up, quiet, and
// serving.

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RawClient, SECRET, expectResponse, hint } from '../../../scripts/kit/index.ts'
import { FUZZ_RUNS, pipeline } from './fuzz-cases.ts'
import { allAnswers, get, serveFinal, splitResponses } from './wire.ts'

const BATCH = 10 // connections at a time, well under MAX_CONNECTIONS: a 503 here would be a bug
const RUNS = Math.ceil((FUZZ_RUNS ?? 2_000) / BATCH)
const TIME_LIMIT_MS = Number(process.env.FUZZ_SOCKET_SECONDS ?? 0) * 1_000 || undefined // a long run stops here
const TIMEOUT_MS = TIME_LIMIT_MS ? TIME_LIMIT_MS + 60_000 : Math.max(60_000, RUNS * BATCH * 20)

const served = serveFinal({ HEADERS_TIMEOUT_MS: '400', REQUEST_TIMEOUT_MS: '400', KEEP_ALIVE_TIMEOUT_MS: '200' })

interface Case {
  request: { text: string; intact: boolean }
  cuts: number[]
  fin: boolean
}

const oneCase: fc.Arbitrary<Case> = fc.record({
  request: pipeline,
  cuts: fc.uniqueArray(fc.nat(), { maxLength: 4 }),
  fin: fc.oneof({ arbitrary: fc.constant(true), weight: 19 }, { arbitrary: fc.constant(false), weight: 1 }), // without a FIN the server's timeouts end it
})

/** Send one case; the problem with what came back, or undefined when all is well. */
async function run({ request, cuts, fin }: Case): Promise<string | undefined> {
  const data = Buffer.from(request.text, 'latin1')
  const client = await RawClient.connect(served.port)
  try {
    // The server may close before the last piece (after a 400): a clean close, not a failure.
    await client.sendSplit(data, cuts.map((cut) => cut % (data.length + 1)).sort((a, b) => a - b)).catch(() => {})
    if (fin && !client.socket.destroyed) client.endWriting()
    let received: Buffer
    try {
      received = await client.readUntilClose()
    } catch (error) {
      return `the server neither answered and closed, nor went on waiting within its timeouts: ${String(error).split('\n')[0]}`
    }
    if (received.includes(SECRET)) return 'a file outside the document root was served'
    const responses = splitResponses(received)
    if (typeof responses === 'string') return `the reply is not well-formed HTTP/1.1: ${responses}`
    const bad = responses.find(({ status }) => status >= 500 && status !== 501 && status !== 505)
    if (bad) return `a ${bad.status} ${bad.reason} for a client's bytes`
    if (request.intact && responses.length === 0) return 'a well-formed request got no answer at all'
    return undefined
  } finally {
    client.destroy()
  }
}

describe('fuzz: over the socket', hint('chapters/03-http-parse/README.md#dispatch-and-errors-in-one-place'), () => {
  it(`random and mutated requests, cut anywhere: well-formed answers or a clean close, no 5xx but 501/505, the server still serving (${RUNS * BATCH} requests${TIME_LIMIT_MS ? `, or as many as fit in ${TIME_LIMIT_MS / 1000} s` : ''})`, { timeout: TIMEOUT_MS }, async () => {
    let sent = 0
    await fc.assert(
      fc.asyncProperty(fc.array(oneCase, { minLength: BATCH, maxLength: BATCH }), async (cases) => {
        const problems = await Promise.all(cases.map(run))
        sent += cases.length
        const failed = problems.findIndex((problem) => problem !== undefined)
        if (failed !== -1) throw new Error(`${problems[failed]}\nSent (${cases[failed]!.fin ? 'then FIN' : 'no FIN'}): ${JSON.stringify(cases[failed]!.request.text)}`)
      }),
      { numRuns: RUNS, ...(TIME_LIMIT_MS ? { interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false } : {}) },
    )
    if (FUZZ_RUNS) console.log(`fuzz over the socket: ${sent} requests sent, all answered well`)
    const { client, responses } = await allAnswers(served.port, get('/notes.txt', 'Connection: close\r\n'))
    expectResponse({ client, response: responses[0]! }, { status: 200, body: served.site.files.get('/notes.txt')!, why: 'After all that, a good request is still served.' })
    expect(served.server.process.exitCode, 'the server is still running').toBeNull()
    expect(served.server.output(), 'No handler failed and nothing was logged as an error (a thrown non-HttpError is logged before its 500)').not.toMatch(/handler failed|Error/)
  })
})
