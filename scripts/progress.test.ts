// `npm run progress` as a student runs it: the table, the first failure, the exit code.

import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { otherServer, repoRoot } from './kit/index.ts'

const nullServer = `${process.execPath} --import tsx ${path.join(repoRoot, 'scripts', 'kit', 'null-server.ts')} --port {port}`
const RUN_TIMEOUT_MS = 120_000

function runProgress(args: string[], env: Record<string, string> = {}): { status: number | null; output: string } {
  const result = spawnSync('npm', ['run', '--silent', 'progress', '--', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: RUN_TIMEOUT_MS,
    // Colours off whatever the terminal; the reference code, unless a test says otherwise.
    env: { ...process.env, WORKBOOK_SERVER: '', FORCE_COLOR: '0', NO_COLOR: '1', ...env },
  })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

describe.skipIf(otherServer)('npm run progress', () => {
  it('shows chapter 1 passing against the reference code, and exits 0', { timeout: RUN_TIMEOUT_MS }, () => {
    const { status, output } = runProgress(['--chapter', '1'])
    expect(output).toMatch(/chapter\s+title\s+passed\s+skipped\s+status/)
    expect(output).toMatch(/^\s*01\s+\S.*\s(\d+)\/\1\s.*✓/m)
    expect(output).toContain('Chapter 1 passes')
    expect(status, output).toBe(0)
  })

  it('names the first failing test and exits non-zero against a server that closes at once', { timeout: RUN_TIMEOUT_MS }, () => {
    const { status, output } = runProgress(['--chapter', '01-tcp-echo'], { WORKBOOK_SERVER: nullServer, WORKBOOK_TIMEOUT_MS: '1000' })
    expect(output).toMatch(/^\s*01\s+\S.*\s0\/\d+\s.*✗/m)
    expect(output).toMatch(/First failure, in chapter 1/)
    expect(output).toMatch(/✗ echo .+chapters\/01-tcp-echo\/test\/echo\.test\.ts/)
    expect(output).toContain('Sent (')
    expect(output).toContain('Chapter 1 does not pass yet')
    expect(status, output).not.toBe(0)
  })

  it('says which chapters exist when asked for one that does not', { timeout: RUN_TIMEOUT_MS }, () => {
    const { status, output } = runProgress(['--chapter', '99'])
    expect(output).toMatch(/Unknown chapter "99"\. The chapters: 01, 02/)
    expect(status).toBe(2)
  })
})
