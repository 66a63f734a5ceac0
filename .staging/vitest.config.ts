import { defineConfig } from 'vitest/config'
export default defineConfig({
  root: new URL('..', import.meta.url).pathname,
  test: {
    include: ['.staging/11/test/**/*.test.ts'],
    globalSetup: ['scripts/kit/global-setup.ts'],
    setupFiles: ['scripts/kit/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
