import os from 'node:os'
import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

// The files that take minutes start first, and the others fill the second worker meanwhile. On a
// fresh clone vitest knows no durations yet and starts the largest files first, which put the
// longest one, a small file, last: npm test took 9 minutes in CI where it takes 5 with the order known.
const LONGEST_FIRST = ['scripts/kept-lessons.test.ts', 'scripts/lesson-proof.test.ts', 'scripts/book.test.ts', 'scripts/check.test.ts']

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = LONGEST_FIRST.findIndex((name) => file.moduleId.endsWith(name))
      return index === -1 ? LONGEST_FIRST.length : index
    }
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b)) // stable: the rest keep vitest's order
  }
}

export default defineConfig({
  test: {
    include: ['chapters/*/test/**/*.test.ts', 'final/test/**/*.test.ts', 'scripts/**/*.test.ts'],
    // Says which server is under test when it is a learner's; skips what a later chapter changed on purpose.
    globalSetup: ['scripts/kit/global-setup.ts'],
    setupFiles: ['scripts/kit/setup.ts'],
    // Every suite starts real servers as child processes; give them room on a busy 2-core machine.
    testTimeout: 30_000,
    // Two files at a time even on two cores (vitest's default would be one): most of a file's time
    // is spent waiting for its servers and child processes, and one at a time took 12 minutes.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    sequence: { sequencer: LongestFirst },
    hookTimeout: 30_000,
  },
})
