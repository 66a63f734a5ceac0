// Runs one chapter's suite in its own vitest process, with the JSON reporter, and reads back each
// test: its status, its failure message without stack frames, and the explainer section it hints
// at. The one place a script runs a suite: progress, check, the lesson proof and the kept-lessons
// test all come here. The environment passes through, so WORKBOOK_SERVER and friends choose the
// server under test.

import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { changedLater, chapterPosition, serverChapter, suiteOf } from '../kit/changed-later.ts'
import { repoRoot } from '../kit/paths.ts'
import { readHeadings } from './headings.ts'
import { killGroup } from './process-group.ts'

const STOP_GRACE_MS = 5_000 // after SIGTERM, then SIGKILL

export type TestStatus = 'passed' | 'failed' | 'skipped'

export interface TestResult {
  /** The test file, relative to the repository. */
  file: string
  /** `describe > it`, as the suite names it; or `<file> could not run`. */
  name: string
  status: TestStatus
  /** The kit's message (what was sent, expected, came back), stack frames dropped. */
  message: string
  /** `chapters/03-http-parse/README.md#slug`: the section that teaches it. */
  hint: string | undefined
  durationMs: number
}

export interface SuiteResult {
  passed: number
  failed: number
  skipped: number
  /** Every test, files in name order, tests in their order within the file. */
  tests: TestResult[]
  /** The failing test to fix first: in the order the explainers teach (see firstToFix). */
  firstFailure: TestResult | undefined
  /** Why the run produced no results (a crash, a timeout, no tests), when it did not. */
  crashed: string | undefined
  durationMs: number
}

export interface RunOptions {
  /** Stop the run (and count what ran) after this long. */
  timeoutMs: number
  /** Extra environment for the run, on top of this process's. */
  env?: Record<string, string>
  /** Stop at the first failure: enough for a proof that a suite fails. */
  bail?: boolean
  /** Aborts the run (npm run check --watch, on a new save). */
  signal?: AbortSignal
}

interface JsonReport {
  testResults: {
    name: string
    status: string
    message?: string
    assertionResults: { status: string; ancestorTitles: string[]; title: string; duration?: number; failureMessages?: string[]; meta?: { hint?: string } }[]
  }[]
}

/**
 * Run the suite of `chapterDir` (`chapters/03-http-parse`, `final`); or several suites in one
 * vitest process (one start-up, files run side by side), the first one's explainer ordering which
 * failure to fix first.
 */
export async function runSuite(chapterDir: string | readonly string[], options: RunOptions): Promise<SuiteResult> {
  const dirs = typeof chapterDir === 'string' ? [chapterDir] : chapterDir
  const started = Date.now()
  const dir = mkdtempSync(path.join(os.tmpdir(), 'workbook-suite-'))
  const report = path.join(dir, 'report.json')
  const servers = path.join(dir, 'servers') // each server the suites start notes itself here (server-under-test.ts)
  mkdirSync(servers)
  try {
    const vitest = path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs')
    const args = [vitest, 'run', ...dirs.map((dir) => `${dir}/`), '--reporter=json', `--outputFile=${report}`, ...(options.bail ? ['--bail=1'] : [])]
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      detached: true, // its own process group, so a timeout reaches its workers
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...options.env, FORCE_COLOR: '0', WORKBOOK_SERVERS_DIR: servers },
    })
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)))
    let stoppedBecause: string | undefined
    const stop = (why: string) => {
      stoppedBecause ??= why
      killGroup(child.pid, 'SIGTERM')
      setTimeout(() => killGroup(child.pid, 'SIGKILL'), STOP_GRACE_MS).unref()
    }
    const timer = setTimeout(() => stop(`it did not finish within ${Math.round(options.timeoutMs / 1000)} s`), options.timeoutMs)
    const onAbort = () => stop('it was stopped')
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const exit = await new Promise<string | undefined>((resolve) => {
      child.once('error', (error) => resolve(`vitest could not start: ${error.message}`))
      child.once('exit', (code, signal) => resolve(code === null ? `vitest was stopped by ${signal}` : undefined))
    })
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
    const durationMs = Date.now() - started
    if (stoppedBecause) return crash(stoppedBecause, durationMs)
    if (!existsSync(report)) return crash(`${exit ?? 'vitest wrote no results'}${lastLines(stderr)}`, durationMs)
    const result = summarise(JSON.parse(readFileSync(report, 'utf8')) as JsonReport, dirs[0]!.replace(/\/+$/, ''), durationMs, serverChapter({ ...process.env, ...options.env }))
    if (result.crashed) result.crashed += lastLines(stderr) // what vitest said about it
    return result
  } finally {
    for (const pid of readdirSync(servers)) killGroup(Number(pid), 'SIGKILL') // left running by a run cut short
    rmSync(dir, { recursive: true, force: true })
  }
}

function summarise(report: JsonReport, chapterDir: string, durationMs: number, position: number | undefined): SuiteResult {
  const tests: TestResult[] = []
  const files = [...report.testResults].sort((a, b) => a.name.localeCompare(b.name))
  for (const file of files) {
    const name = path.relative(repoRoot, file.name)
    for (const test of file.assertionResults) {
      tests.push({
        file: name,
        name: [...test.ancestorTitles, test.title].join(' > '),
        status: test.status === 'passed' ? 'passed' : test.status === 'failed' ? 'failed' : 'skipped',
        message: withoutStack(test.failureMessages?.join('\n') ?? ''),
        hint: test.meta?.hint,
        durationMs: Math.round(test.duration ?? 0),
      })
    }
    // A file that failed with no failing test never ran: a syntax error, or a beforeAll that threw
    // (the server did not start). Its tests count as failed, with that reason, so that a server
    // that never starts scores 0 of them, not 0 of 0; those skipped on purpose stay skipped.
    if (file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed')) {
      const reason = `This test could not run: ${withoutStack(file.message ?? 'the file failed to load')}`
      const fileTests = tests.filter((test) => test.file === name)
      for (const test of fileTests) {
        if (test.status === 'skipped' && !changedLater(suiteOf(name), test.name, position)) Object.assign(test, { status: 'failed', message: reason })
      }
      if (fileTests.length === 0) tests.push({ file: name, name: `${name} could not run`, status: 'failed', message: reason, hint: undefined, durationMs: 0 })
    }
  }
  const count = (status: TestStatus) => tests.filter((test) => test.status === status).length
  const result: SuiteResult = {
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    tests,
    firstFailure: firstToFix(tests.filter((test) => test.status === 'failed'), chapterDir),
    crashed: undefined,
    durationMs,
  }
  if (result.passed + result.failed === 0) result.crashed = result.skipped > 0 ? 'every test was skipped' : 'no tests found'
  return result
}

/**
 * The failure to fix first: the one whose lesson the chapter's explainer teaches first (its
 * earliest heading), so that a learner is sent to the basics before the 200 MiB file. Tests whose
 * hint is in another explainer (an earlier chapter's idea the suite checks again) come after,
 * then tests without a hint; ties keep file order.
 */
function firstToFix(failed: TestResult[], chapterDir: string): TestResult | undefined {
  const headingIndex = new Map<string, string[]>()
  const order = (test: TestResult): [number, number, number] => {
    if (!test.hint) return [2, 0, 0]
    const [file, id] = test.hint.split('#') as [string, string | undefined]
    if (!headingIndex.has(file)) {
      const absolute = path.join(repoRoot, file)
      headingIndex.set(file, existsSync(absolute) ? readHeadings(absolute).map((heading) => heading.id) : [])
    }
    const index = headingIndex.get(file)!.indexOf(id ?? '')
    const own = path.dirname(file) === chapterDir ? 0 : 1
    return [own, own === 0 ? 0 : (chapterPosition(path.dirname(file)) ?? Infinity), index === -1 ? Infinity : index]
  }
  return failed
    .map((test, i) => ({ test, i, key: order(test) }))
    .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2] || a.i - b.i)[0]?.test
}

/** A failure as the kit wrote it: vitest's stack frames (`    at ...`) dropped. */
function withoutStack(message: string): string {
  const lines = message.split('\n').filter((line) => !/^\s+at /.test(line)).map((line) => line.trimEnd())
  while (lines.length > 0 && lines.at(-1) === '') lines.pop()
  return lines.join('\n').replace(/^(Assertion)?Error: /, '')
}

function crash(reason: string, durationMs: number): SuiteResult {
  return { passed: 0, failed: 0, skipped: 0, tests: [], firstFailure: undefined, crashed: reason, durationMs }
}

function lastLines(text: string): string {
  const lines = text.trim().split('\n').filter((line) => line.trim() !== '').slice(-8)
  return lines.length > 0 ? `:\n${lines.join('\n')}` : ''
}
