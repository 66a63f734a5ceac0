// Runs one chapter's suite in its own vitest process, with the JSON reporter, and reads back what
// passed and what failed. WORKBOOK_SERVER (the learner's own server) passes through untouched.

import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const STOP_GRACE_MS = 5_000 // after SIGTERM, then SIGKILL

export interface Failure {
  /** The test file, relative to the repository. */
  file: string
  /** `describe > it`, as vitest names it; or what could not run. */
  test: string
  message: string
}

export interface SuiteResult {
  passed: number
  failed: number
  skipped: number
  /** The first failing test, in file order; also set when the run itself went wrong. */
  firstFailure: Failure | undefined
  /** Why the run produced no results (a crash, a timeout, no tests), when it did not. */
  crashed: string | undefined
  durationMs: number
}

interface JsonReport {
  testResults: {
    name: string
    status: string
    message?: string
    assertionResults: { status: string; fullName: string; failureMessages?: string[] }[]
  }[]
}

export async function runSuite(repoRoot: string, chapterDir: string, timeoutMs: number): Promise<SuiteResult> {
  const started = Date.now()
  const dir = mkdtempSync(path.join(os.tmpdir(), 'workbook-progress-'))
  const report = path.join(dir, 'report.json')
  try {
    const vitest = path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs')
    const child = spawn(process.execPath, [vitest, 'run', `${chapterDir}/`, '--reporter=json', `--outputFile=${report}`], {
      cwd: repoRoot,
      detached: true, // its own process group, so a timeout reaches its workers too
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    })
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      killGroup(child.pid, 'SIGTERM')
      setTimeout(() => killGroup(child.pid, 'SIGKILL'), STOP_GRACE_MS).unref()
    }, timeoutMs)
    const exit = await new Promise<string | undefined>((resolve) => {
      child.once('error', (error) => resolve(`vitest could not start: ${error.message}`))
      child.once('exit', (code, signal) => resolve(code === null ? `vitest was stopped by ${signal}` : undefined))
    })
    clearTimeout(timer)
    const durationMs = Date.now() - started
    if (timedOut) return crash(`it did not finish within ${Math.round(timeoutMs / 1000)} s`, durationMs)
    if (!existsSync(report)) return crash(`${exit ?? 'vitest wrote no results'}${lastLines(stderr)}`, durationMs)
    return summarise(JSON.parse(readFileSync(report, 'utf8')) as JsonReport, repoRoot, durationMs)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function summarise(report: JsonReport, repoRoot: string, durationMs: number): SuiteResult {
  const result: SuiteResult = { passed: 0, failed: 0, skipped: 0, firstFailure: undefined, crashed: undefined, durationMs }
  const files = [...report.testResults].sort((a, b) => a.name.localeCompare(b.name))
  for (const file of files) {
    const name = path.relative(repoRoot, file.name)
    for (const test of file.assertionResults) {
      if (test.status === 'passed') result.passed++
      else if (test.status === 'failed') {
        result.failed++
        result.firstFailure ??= { file: name, test: test.fullName, message: test.failureMessages?.join('\n') ?? '' }
      } else result.skipped++
    }
    // A file that failed with no failing test never ran: a syntax error, or a beforeAll that threw.
    if (file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed')) {
      result.failed++
      result.firstFailure ??= { file: name, test: `${name} could not run`, message: file.message ?? '' }
    }
  }
  if (result.passed + result.failed === 0) result.crashed = result.skipped > 0 ? 'every test was skipped' : 'no tests found'
  return result
}

function crash(reason: string, durationMs: number): SuiteResult {
  return { passed: 0, failed: 0, skipped: 0, firstFailure: undefined, crashed: reason, durationMs }
}

function lastLines(text: string): string {
  const lines = text.trim().split('\n').filter((line) => line.trim() !== '').slice(-8)
  return lines.length > 0 ? `:\n${lines.join('\n')}` : ''
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  try {
    if (pid) process.kill(-pid, signal)
  } catch {
    // already gone
  }
}
