// Earlier lessons stay learned: from chapter 03 on, each chapter's black-box suite runs against
// every later chapter's server and final/'s, and must pass there, except the tests that a later
// chapter changes on purpose (scripts/kit/changed-later.ts lists them, each with its reason).

import { describe, expect, it } from 'vitest'
import { listChapters } from './chapters.ts'
import { CHANGED_LATER, FIRST_HTTP_CHAPTER } from './kit/changed-later.ts'
import { otherServer } from './kit/index.ts'
import { runSuite, type SuiteResult } from './lib/run-suite.ts'

// One vitest process per server runs every earlier suite (45 pairs were 45 start-ups: 250 s of a full run).
const RUN_TIMEOUT_MS = 400_000

const chapters = listChapters().filter((chapter) => chapter.number === undefined || chapter.number >= FIRST_HTTP_CHAPTER)

function failures(result: SuiteResult): string[] {
  if (result.crashed) return [`the run crashed: ${result.crashed}`]
  return result.tests.filter((test) => test.status === 'failed').map((test) => `${test.file} > ${test.name}\n${test.message}`)
}

describe.skipIf(otherServer)('earlier suites pass against later chapters', () => {
  chapters.forEach((server, i) => {
    const suites = chapters.slice(0, i).map((chapter) => chapter.dir)
    if (suites.length === 0) return
    it(`${server.dir} passes the suites of ${suites.join(', ')}`, { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
      const result = await runSuite(suites, { timeoutMs: RUN_TIMEOUT_MS, env: { WORKBOOK_SERVER: '', WORKBOOK_REFERENCE: server.dir } })
      console.log(`kept lessons: ${suites.length} earlier suites against ${server.dir}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped (${(result.durationMs / 1000).toFixed(1)} s)`)
      expect(failures(result), `${server.dir} fails these tests of earlier chapters`).toEqual([])
      for (const suite of suites) expect(result.tests.some((test) => test.file.startsWith(`${suite}/`) && test.status === 'passed'), `no test of ${suite} passed`).toBe(true)
    })
  })
})

describe('the list of tests changed on purpose', () => {
  const known = new Set(chapters.map((chapter) => chapter.dir))
  it('names real suites, and later chapters than the suite', () => {
    for (const entry of CHANGED_LATER) {
      expect(known.has(entry.suite), `${entry.suite} is not a chapter from 03 on`).toBe(true)
      const suiteNumber = chapters.find((chapter) => chapter.dir === entry.suite)?.number ?? Infinity
      expect(entry.from === 'final' || entry.from > suiteNumber, `${entry.suite} > ${entry.test}: "from" must be a later chapter`).toBe(true)
      expect(entry.reason.length, `${entry.suite} > ${entry.test} needs a reason`).toBeGreaterThan(10)
    }
  })
})
