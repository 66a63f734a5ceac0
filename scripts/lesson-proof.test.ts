// The lesson proof: each chapter's black-box suite must fail against the chapter before it.
// A suite that passes there does not test what its chapter teaches.

import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { otherServer, referenceCommand, repoRoot } from './kit/index.ts'

// The chapters in order, then final/, whose suite must fail against chapter 07's server.
const chapters = [...readdirSync(path.join(repoRoot, 'chapters')).filter((name) => /^\d\d-/.test(name)).sort().map((name) => `chapters/${name}`), 'final']
const vitest = path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs')
const nullServer = `${process.execPath} --import tsx ${path.join(repoRoot, 'scripts', 'kit', 'null-server.ts')} --port {port}`

interface SuiteResult {
  passed: number
  failed: number
  failedNames: string[]
}

/** Run one chapter's suite against another server command, and count what passed. */
function runSuite(folder: string, serverCommand: string, { bail = true } = {}): SuiteResult {
  const dir = mkdtempSync(path.join(tmpdir(), 'lesson-proof-'))
  const report = path.join(dir, 'report.json')
  try {
    // --bail: one failure proves the point; the rest of a suite against the wrong server only waits.
    spawnSync(process.execPath, [vitest, 'run', `${folder}/`, ...(bail ? ['--bail=1'] : []), '--reporter=json', `--outputFile=${report}`], {
      cwd: repoRoot,
      env: { ...process.env, WORKBOOK_SERVER: serverCommand, ...(bail ? { WORKBOOK_TIMEOUT_MS: '1000' } : {}), FORCE_COLOR: '0' },
      encoding: 'utf8',
      timeout: 170_000,
    })
    const results = JSON.parse(readFileSync(report, 'utf8')) as { testResults: { assertionResults: { status: string; fullName: string }[] }[] }
    const tests = results.testResults.flatMap((file) => file.assertionResults)
    const failed = tests.filter((test) => test.status === 'failed')
    return { passed: tests.filter((test) => test.status === 'passed').length, failed: failed.length, failedNames: failed.map((test) => test.fullName) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe.skipIf(otherServer)('each chapter tests its own lesson', () => {
  chapters.forEach((chapter, i) => {
    const previous = i === 0 ? undefined : chapters[i - 1]!
    const against = previous ? `${previous}'s server` : 'a server that accepts and closes at once'
    it(`${chapter}: its suite fails against ${against}`, { timeout: 180_000 }, () => {
      const result = runSuite(chapter, previous ? referenceCommand(previous) : nullServer)
      console.log(`lesson proof: ${chapter} against ${against}: ${result.failed} failed (stopping at the first), ${result.passed} passed before it`)
      expect(result.failed, `Every test of ${chapter} passed against ${against}: the suite does not test the chapter's lesson.`).toBeGreaterThan(0)
    })
  })
})

// And the other way round: the finished server still passes the suites of the chapters whose
// behaviour it keeps (static files, the login, concurrency). Chapters 01-04 answer other things
// (an echo, a hello page) and are left out.
const KEPT_BY_FINAL = ['chapters/05-static-files', 'chapters/06-login-post', 'chapters/07-threads']

describe.skipIf(otherServer)('final/ keeps what the chapters built', () => {
  for (const chapter of KEPT_BY_FINAL) {
    it(`${chapter}: its suite passes against final/`, { timeout: 180_000 }, () => {
      const result = runSuite(chapter, referenceCommand('final', ['--quiet']), { bail: false })
      console.log(`lesson proof: ${chapter} against final/: ${result.failed} failed, ${result.passed} passed`)
      expect(result.failedNames, `final/ fails these tests of ${chapter}`).toEqual([])
      expect(result.passed).toBeGreaterThan(0)
    })
  }
})
