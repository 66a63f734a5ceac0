// Runs once before a test run (vitest's globalSetup): says which server is under test when it is
// not the reference code, so that a learner never wonders whose server failed.

import { describeServerUnderTest } from './server-under-test.ts'

export function setup(): void {
  const run = process.argv.findIndex((arg) => arg === 'run' || arg === 'watch')
  const filters = run === -1 ? [] : process.argv.slice(run + 1).filter((arg) => !arg.startsWith('-'))
  const line = describeServerUnderTest(`npm test${filters.length > 0 ? ` -- ${filters.join(' ')}` : ''}`)
  if (line) console.log(`\n${line}\n`)
}
