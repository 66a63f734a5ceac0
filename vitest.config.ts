import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['chapters/*/test/**/*.test.ts', 'final/test/**/*.test.ts', 'scripts/**/*.test.ts'],
    // Every suite starts real servers as child processes; give them room on a busy 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
