// Lists the tests of the given folders without running them (vitest's collect), with each test's
// mode and hint, as JSON into the file named by --out. Used by scripts/hints.test.ts.
//   node --import tsx scripts/lib/collect-tests.ts --out tests.json chapters/03-http-parse final

import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { createVitest } from 'vitest/node'
import { repoRoot } from '../kit/paths.ts'
import { readArgs } from './cli.ts'

export interface CollectedTest {
  file: string
  /** `describe > it`. */
  name: string
  /** 'skip' for a test skipped at collection (a reference-only unit test under WORKBOOK_SERVER). */
  mode: string
  hint: string | undefined
}

const { values, positionals } = readArgs({ out: { type: 'string' } }, 'collect-tests.ts --out FILE FOLDER...')
if (!values.out) throw new Error('--out FILE is required')

const vitest = await createVitest('test', { root: repoRoot, watch: false, reporters: [], globalSetup: [] })
try {
  const { testModules } = await vitest.collect(positionals.map((folder) => `${folder}/`))
  const tests: CollectedTest[] = []
  for (const module of testModules) {
    for (const test of module.children.allTests()) {
      tests.push({ file: path.relative(repoRoot, module.moduleId), name: test.fullName, mode: test.options.mode, hint: test.meta().hint })
    }
  }
  writeFileSync(values.out, JSON.stringify(tests, null, 1))
} finally {
  await vitest.close()
}
