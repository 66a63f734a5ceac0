import os from 'node:os'
import { defineConfig } from 'vitest/config'

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
    hookTimeout: 30_000,
  },
})
