// The reports a teacher collects from `npm run check -- --report junit|json`: one testsuite per
// chapter, one testcase per test, a failure with its message; points per chapter in the JSON.

import type { Chapter } from '../chapters.ts'
import type { SuiteResult } from '../lib/run-suite.ts'

export interface CheckedChapter {
  chapter: Chapter
  result: SuiteResult
}

export interface CheckSummary {
  /** Which server was checked: `my-server/ (chapter 3)`, or the WORKBOOK_SERVER command. */
  server: string
  /** The chapter it was checked as. */
  chapter: number | 'final'
  chapters: CheckedChapter[]
  finishedAt: Date
}

/** One point per test that passed; the maximum is every test that ran (skipped ones excluded). */
export function points({ result }: CheckedChapter): { points: number; maxPoints: number } {
  return { points: result.passed, maxPoints: result.passed + result.failed }
}

export function toJson(summary: CheckSummary): string {
  const chapters = summary.chapters.map((checked) => ({
    chapter: checked.chapter.number ?? 'final',
    dir: checked.chapter.dir,
    title: checked.chapter.title,
    passed: checked.result.passed,
    failed: checked.result.failed,
    skipped: checked.result.skipped,
    ...points(checked),
    complete: checked.result.failed === 0 && !checked.result.crashed,
    crashed: checked.result.crashed ?? null,
    durationMs: checked.result.durationMs,
    tests: checked.result.tests.map((test) => ({ file: test.file, name: test.name, status: test.status, message: test.message || null, hint: test.hint ?? null, durationMs: test.durationMs })),
  }))
  const total = chapters.reduce((sum, chapter) => ({ points: sum.points + chapter.points, maxPoints: sum.maxPoints + chapter.maxPoints }), { points: 0, maxPoints: 0 })
  return `${JSON.stringify({ server: summary.server, chapter: summary.chapter, finishedAt: summary.finishedAt.toISOString(), ...total, chapters }, null, 2)}\n`
}

/** JUnit XML as CI systems read it (GitHub Actions' test reporters, GitLab's junit artifacts). */
export function toJunit(summary: CheckSummary): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>']
  const all = summary.chapters.map(({ result }) => result)
  const sum = (pick: (result: SuiteResult) => number) => all.reduce((total, result) => total + pick(result), 0)
  lines.push(
    `<testsuites name="${xml(`workbook check: ${summary.server}`)}" tests="${sum((r) => r.passed + r.failed + r.skipped)}" failures="${sum((r) => r.failed)}" skipped="${sum((r) => r.skipped)}" time="${seconds(sum((r) => r.durationMs))}" timestamp="${summary.finishedAt.toISOString()}">`,
  )
  for (const { chapter, result } of summary.chapters) {
    const name = chapter.number === undefined ? `final: ${chapter.title}` : `chapter ${String(chapter.number).padStart(2, '0')}: ${chapter.title}`
    const crashed = result.crashed && result.tests.length === 0
    lines.push(`  <testsuite name="${xml(name)}" tests="${result.tests.length + (crashed ? 1 : 0)}" failures="${result.failed}" errors="${crashed ? 1 : 0}" skipped="${result.skipped}" time="${seconds(result.durationMs)}">`)
    if (crashed) lines.push(`    <testcase classname="${xml(chapter.dir)}" name="the suite ran"><error message="${xml(result.crashed!)}"/></testcase>`)
    for (const test of result.tests) {
      const open = `    <testcase classname="${xml(test.file)}" name="${xml(test.name)}" time="${seconds(test.durationMs)}"`
      if (test.status === 'passed') lines.push(`${open}/>`)
      else if (test.status === 'skipped') lines.push(`${open}><skipped/></testcase>`)
      else {
        const firstLine = test.message.split('\n')[0] ?? ''
        const body = test.hint ? `${test.message}\n\nRead: ${test.hint}` : test.message
        lines.push(`${open}><failure message="${xml(firstLine)}">${xml(body)}</failure></testcase>`)
      }
    }
    lines.push('  </testsuite>')
  }
  lines.push('</testsuites>')
  return `${lines.join('\n')}\n`
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3)
}

/** Text and attribute values; also drops the control characters XML 1.0 cannot hold (a server may send any byte). */
function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}
