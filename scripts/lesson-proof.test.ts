// The lesson proof: each chapter's black-box suite must fail against the chapter before it.
// A suite that passes there does not test what its chapter teaches. (The other direction, that
// later chapters keep passing earlier suites, is scripts/kept-lessons.test.ts.)

import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { listChapters } from './chapters.ts'
import { otherServer, referenceCommand, repoRoot } from './kit/index.ts'
import { runSuite } from './lib/run-suite.ts'

const RUN_TIMEOUT_MS = 170_000
// The chapters in order, then final/, whose suite must fail against the last chapter's server.
const chapters = listChapters().map((chapter) => chapter.dir)
const nullServer = `${process.execPath} --import tsx ${path.join(repoRoot, 'scripts', 'kit', 'null-server.ts')} --port {port}`

describe.skipIf(otherServer)('each chapter tests its own lesson', () => {
  chapters.forEach((chapter, i) => {
    const previous = i === 0 ? undefined : chapters[i - 1]!
    const against = previous ? `${previous}'s server` : 'a server that accepts and closes at once'
    it(`${chapter}: its suite fails against ${against}`, { timeout: 2 * RUN_TIMEOUT_MS + 10_000 }, async () => {
      // --bail: one failure proves the point; the rest of a suite against the wrong server only waits.
      const env = { WORKBOOK_SERVER: previous ? referenceCommand(previous) : nullServer, WORKBOOK_TIMEOUT_MS: '1000' }
      let bail = true
      let result = await runSuite(chapter, { timeoutMs: RUN_TIMEOUT_MS, env, bail })
      // vitest's --bail cancels the run from the failing test's own worker, before that test's result
      // is reported: on a busy host the cancel can win, and the run reports every test skipped (CI
      // saw it twice). That proves nothing either way, so the suite runs again, whole, and decides.
      if (result.failed === 0 && result.crashed) {
        console.log(`lesson proof: ${chapter} against ${against}: the run stopping at the first failure was inconclusive (${result.crashed}); running the whole suite`)
        bail = false
        result = await runSuite(chapter, { timeoutMs: RUN_TIMEOUT_MS, env, bail })
      }
      console.log(`lesson proof: ${chapter} against ${against}: ${result.failed} failed${bail ? ' (stopping at the first)' : ''}, ${result.passed} passed${bail ? ' before it' : ''}${result.crashed ? `; the run broke: ${result.crashed}` : ''}`)
      // A run that broke before any test failed proves nothing either way: say why, not "every test passed".
      if (result.failed === 0 && result.crashed) expect.fail(`The suite of ${chapter} did not run to a result against ${against}: ${result.crashed}`)
      expect(result.failed, `Every test of ${chapter} passed against ${against}: the suite does not test the chapter's lesson.`).toBeGreaterThan(0)
    })
  })
})
