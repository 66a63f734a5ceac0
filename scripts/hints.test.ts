// Every test a learner can fail carries a hint (the explainer section that teaches it), and every
// hint names a heading that exists; every entry of the changed-later list names a real test.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { listChapters } from './chapters.ts'
import { CHANGED_LATER } from './kit/changed-later.ts'
import { repoRoot } from './kit/paths.ts'
import type { CollectedTest } from './lib/collect-tests.ts'
import { readHeadings } from './lib/headings.ts'

const COLLECT_TIMEOUT_MS = 120_000

let tests: CollectedTest[] = []
beforeAll(() => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'workbook-hints-'))
  try {
    const out = path.join(dir, 'tests.json')
    const folders = listChapters().map((chapter) => chapter.dir)
    // As a learner's run sees them: WORKBOOK_SERVER set, so the reference-only unit tests are skipped.
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/lib/collect-tests.ts', '--out', out, ...folders], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: COLLECT_TIMEOUT_MS,
      env: { ...process.env, WORKBOOK_SERVER: 'a-learners-server --port {port}', WORKBOOK_REFERENCE: '', WORKBOOK_FOLDER: '' },
    })
    if (!existsSync(out)) throw new Error(`collecting the tests failed:\n${run.stdout}${run.stderr}`)
    tests = JSON.parse(readFileSync(out, 'utf8')) as CollectedTest[]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, COLLECT_TIMEOUT_MS)

describe('hints', () => {
  it('every chapter has tests a learner runs', () => {
    for (const chapter of listChapters()) {
      expect(tests.filter((test) => test.file.startsWith(`${chapter.dir}/`) && test.mode === 'run').length, chapter.dir).toBeGreaterThan(0)
    }
  })

  it('every test a learner runs carries a hint', () => {
    const missing = tests.filter((test) => test.mode === 'run' && !test.hint).map((test) => `${test.file}: ${test.name}`)
    expect(missing, 'these tests have no hint(...): give the describe or the test one').toEqual([])
  })

  it("every hint names a heading of an explainer that exists", () => {
    const headingsOf = new Map<string, Set<string>>()
    const broken: string[] = []
    for (const test of tests) {
      if (!test.hint) continue
      const [file, id] = test.hint.split('#') as [string, string | undefined]
      const absolute = path.join(repoRoot, file)
      if (!file.endsWith('.md') || !existsSync(absolute)) {
        broken.push(`${test.file}: ${test.name}: ${test.hint}: no such Markdown file`)
        continue
      }
      if (!headingsOf.has(file)) headingsOf.set(file, new Set(readHeadings(absolute).map((heading) => heading.id)))
      if (!id || !headingsOf.get(file)!.has(id)) broken.push(`${test.file}: ${test.name}: ${test.hint}: no heading with id "${id ?? ''}" (ids: ${[...headingsOf.get(file)!].join(', ')})`)
    }
    expect(broken).toEqual([])
  })
})

describe('the changed-later list', () => {
  it('names tests that exist', () => {
    const stale = CHANGED_LATER.filter(
      (entry) => !tests.some((test) => test.file.startsWith(`${entry.suite}/`) && (test.name === entry.test || test.name.startsWith(`${entry.test} > `))),
    ).map((entry) => `${entry.suite}: ${entry.test}`)
    expect(stale, 'no test has these names any more: update scripts/kit/changed-later.ts').toEqual([])
  })
})
