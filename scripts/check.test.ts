// The learner's loop, as a learner runs it: `npm run begin`, `npm run check` (and --watch, and the
// reports a teacher collects), and `npm test` naming the learner's folder. Each test works in a
// folder of its own under the system's temp directory, passed with --folder / WORKBOOK_FOLDER.

import { spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { XMLParser } from 'fast-xml-parser'
import { afterAll, describe, expect, it } from 'vitest'
import { otherServer, repoRoot } from './kit/index.ts'
import { killGroup } from './lib/process-group.ts'

const RUN_TIMEOUT_MS = 120_000
const scratch = mkdtempSync(path.join(os.tmpdir(), 'workbook-check-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function npm(script: string, args: string[], env: Record<string, string> = {}): { status: number | null; output: string } {
  const result = spawnSync('npm', ['run', '--silent', script, '--', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: RUN_TIMEOUT_MS,
    env: { ...process.env, WORKBOOK_SERVER: '', WORKBOOK_FOLDER: '', WORKBOOK_REFERENCE: '', WORKBOOK_SERVER_CHAPTER: '', FORCE_COLOR: '0', NO_COLOR: '1', ...env },
  })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

function folder(name: string): string {
  return path.join(scratch, name)
}

function config(dir: string): { chapter: number; command?: string } {
  return JSON.parse(readFileSync(path.join(dir, 'workbook.json'), 'utf8'))
}

describe('npm run begin', () => {
  it('makes the folder from the previous chapter, records the chapter, and says what to do next', { timeout: RUN_TIMEOUT_MS }, () => {
    const dir = folder('begin-3')
    const { status, output } = npm('begin', ['3', '--folder', dir])
    expect(status, output).toBe(0)
    expect(config(dir)).toEqual({ chapter: 3 })
    expect(readFileSync(path.join(dir, 'src', 'main.ts'), 'utf8')).toBe(readFileSync(path.join(repoRoot, 'chapters/02-stream-handler/src/main.ts'), 'utf8'))
    expect(existsSync(path.join(dir, 'test')) || existsSync(path.join(dir, 'README.md')), 'our tests and explainer stay ours').toBe(false)
    expect(output).toContain('chapters/03-http-parse/README.md')
    expect(output).toContain('npm run check')
  })

  it('chapter 1 starts from a starter that listens and does nothing', { timeout: RUN_TIMEOUT_MS }, () => {
    const dir = folder('begin-1')
    expect(npm('begin', ['1', '--folder', dir]).status).toBe(0)
    expect(readdirSync(path.join(dir, 'src'))).toEqual(['main.ts'])
    expect(config(dir)).toEqual({ chapter: 1 })
  })

  it('moving on keeps the learner’s code; --fresh starts over and keeps a backup', { timeout: RUN_TIMEOUT_MS }, () => {
    const dir = folder('begin-move')
    npm('begin', ['3', '--folder', dir])
    writeFileSync(path.join(dir, 'src', 'main.ts'), '// my own work\n')
    const moved = npm('begin', ['4', '--folder', dir])
    expect(moved.status, moved.output).toBe(0)
    expect(readFileSync(path.join(dir, 'src', 'main.ts'), 'utf8')).toBe('// my own work\n')
    expect(config(dir).chapter).toBe(4)
    expect(moved.output).toMatch(/on from chapter 3 to chapter 4/)

    const fresh = npm('begin', ['4', '--folder', dir, '--fresh'])
    expect(fresh.status, fresh.output).toBe(0)
    expect(readFileSync(path.join(dir, 'src', 'main.ts'), 'utf8')).toBe(readFileSync(path.join(repoRoot, 'chapters/03-http-parse/src/main.ts'), 'utf8'))
    const backups = readdirSync(scratch).filter((name) => name.startsWith('begin-move.backup-'))
    expect(backups).toHaveLength(1)
    expect(readFileSync(path.join(scratch, backups[0]!, 'src', 'main.ts'), 'utf8')).toBe('// my own work\n')
  })

  it('--command records a server in another language', { timeout: RUN_TIMEOUT_MS }, () => {
    const dir = folder('begin-python')
    const { status, output } = npm('begin', ['2', '--folder', dir, '--command', 'python3 server.py --port {port}'])
    expect(status, output).toBe(0)
    expect(config(dir)).toEqual({ chapter: 2, command: 'python3 server.py --port {port}' })
    expect(existsSync(path.join(dir, 'src')), 'no TypeScript is copied for another language').toBe(false)
  })

  it('refuses an unknown chapter and a command that does not say where to listen, with exit code 2', { timeout: RUN_TIMEOUT_MS }, () => {
    expect(npm('begin', ['99', '--folder', folder('nope')]).status).toBe(2)
    const noPort = npm('begin', ['2', '--folder', folder('nope'), '--command', 'python3 server.py'])
    expect(noPort.status).toBe(2)
    expect(noPort.output).toContain('{port}')
    expect(existsSync(folder('nope'))).toBe(false)
  })
})

describe.skipIf(otherServer)('npm run check', () => {
  const dir = folder('check-3')

  it('against chapter 2’s code at chapter 3: a line per chapter, the first failure in full with its hint, exit 1', { timeout: RUN_TIMEOUT_MS }, () => {
    npm('begin', ['3', '--folder', dir])
    const { status, output } = npm('check', ['--folder', dir])
    expect(output).toMatch(/Checking your server in .*check-3\/ as chapter 3/)
    expect(output).toMatch(/^\s*03\s+Parsing a request\s+0\/\d+\s.*✗/m)
    expect(output).toMatch(/First failure, in chapter 3/)
    expect(output).toContain('Sent (')
    expect(output).toContain('Received (')
    expect(output).toMatch(/Read: ".+" in chapters\/03-http-parse\/README\.md/)
    expect(output, 'no stack frames from the kit').not.toMatch(/^\s+at .*raw-client\.ts/m)
    expect(status).toBe(1)
  })

  it('with chapter 3’s code copied in: passes and names the next step', { timeout: RUN_TIMEOUT_MS }, () => {
    rmSync(path.join(dir, 'src'), { recursive: true })
    cpSync(path.join(repoRoot, 'chapters/03-http-parse/src'), path.join(dir, 'src'), { recursive: true })
    const { status, output } = npm('check', ['--folder', dir])
    expect(output).toMatch(/^\s*03\s+Parsing a request\s+(\d+)\/\1\s.*✓/m)
    expect(output).toContain(`Chapter 3 done: npm run begin 4 -- --folder ${dir}`)
    expect(status, output).toBe(0)
  })

  it('at chapter 4 it runs chapter 3’s tests too, and writes a JUnit report a CI reads', { timeout: RUN_TIMEOUT_MS }, () => {
    npm('begin', ['4', '--folder', dir])
    const out = path.join(scratch, 'results.xml')
    const { status, output } = npm('check', ['--folder', dir, '--report', 'junit', '--out', out])
    expect(output).toMatch(/^\s*03\s.*✓/m)
    expect(output).toMatch(/^\s*04\s.*✗/m)
    expect(status).toBe(1)
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(out, 'utf8'))
    const suites = [xml.testsuites.testsuite].flat() as { name: string; tests: string; failures: string; testcase: unknown }[]
    expect(suites.map((suite) => suite.name)).toEqual(['chapter 03: Parsing a request', 'chapter 04: Writing responses'])
    const [three, four] = suites as [(typeof suites)[0], (typeof suites)[0]]
    expect(Number(three.failures)).toBe(0)
    expect(Number(four.failures)).toBeGreaterThan(0)
    const cases = [four.testcase].flat() as { name: string; failure?: { message: string; '#text': string } }[]
    expect(cases.length).toBe(Number(four.tests))
    const failed = cases.filter((testcase) => testcase.failure)
    expect(failed.length).toBe(Number(four.failures))
    expect(failed[0]!.failure!['#text']).toContain('Sent (')
    expect(failed[0]!.failure!['#text']).toMatch(/Read: chapters\/0\d-[a-z-]+\/README\.md#/)
  })

  it('a JSON report with points per chapter, for any command given as WORKBOOK_SERVER', { timeout: RUN_TIMEOUT_MS }, () => {
    const out = path.join(scratch, 'results.json')
    const command = `${process.execPath} --import tsx chapters/03-http-parse/src/main.ts --port {port}`
    const { status, output } = npm('check', ['--chapter', '3', '--report', 'json', '--out', out], { WORKBOOK_SERVER: command })
    expect(status, output).toBe(0)
    const report = JSON.parse(readFileSync(out, 'utf8'))
    expect(report.server).toBe(`WORKBOOK_SERVER=${command}`)
    expect(report.chapters).toHaveLength(1)
    expect(report.chapters[0]).toMatchObject({ chapter: 3, dir: 'chapters/03-http-parse', failed: 0, complete: true })
    expect(report.chapters[0].points).toBe(report.chapters[0].maxPoints)
    expect(report.points).toBe(report.chapters[0].points)
    expect(report.chapters[0].tests.length).toBeGreaterThan(10)
  })

  it('--watch checks again on a save, and says the chapter is done', { timeout: RUN_TIMEOUT_MS }, async () => {
    const watched = folder('check-watch')
    npm('begin', ['3', '--folder', watched])
    const child = spawn('npm', ['run', '--silent', 'check', '--', '--folder', watched, '--watch'], {
      cwd: repoRoot,
      detached: true,
      env: { ...process.env, WORKBOOK_SERVER: '', WORKBOOK_FOLDER: '', FORCE_COLOR: '0', NO_COLOR: '1' },
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const seen = (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const look = () => pattern.test(output) && resolve()
        child.stdout.on('data', look)
        child.once('exit', () => reject(new Error(`check --watch exited; it printed:\n${output}`)))
        look()
      })
    try {
      await seen(/Not yet:[\s\S]*Watching/)
      rmSync(path.join(watched, 'src'), { recursive: true })
      cpSync(path.join(repoRoot, 'chapters/03-http-parse/src'), path.join(watched, 'src'), { recursive: true })
      await seen(/Chapter 3 done: npm run begin 4/)
    } finally {
      killGroup(child.pid)
    }
  })
})

describe.skipIf(otherServer)('npm test with a learner’s folder', () => {
  it('tests the folder, and says so on its first lines', { timeout: RUN_TIMEOUT_MS }, () => {
    const dir = folder('npm-test-3')
    npm('begin', ['3', '--folder', dir])
    const { status, output } = npm('test', ['chapters/03-http-parse/'], { WORKBOOK_FOLDER: dir })
    expect(output).toMatch(/Testing your server in .*npm-test-3\/ \(chapter 3\)/)
    expect(output).toContain('WORKBOOK_SERVER=reference npm test -- chapters/03-http-parse/')
    expect(status, 'chapter 2’s code fails chapter 3’s tests').not.toBe(0)
  })
})

/** Stop the command's whole process group; it may have ended already (ESRCH). */
