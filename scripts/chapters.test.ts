// The scripts behind `npm run chapter` and `npm run diff`: which argument names which chapter,
// and what a learner sees when running them. Written against whatever chapters exist on disk.

import { spawn, spawnSync } from 'node:child_process'
import net from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { findChapter, listChapters } from './chapters.ts'
import { findFreePort, repoRoot } from './kit/server-under-test.ts'
import { killGroup } from './lib/process-group.ts'

const chapters = listChapters()
const numbered = chapters.filter((chapter) => chapter.number !== undefined)
const ESC = '\u001b'

/** `npm run --silent <script> <args>`, piped (so not a terminal), without colour forced on. */
function npmRun(script: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env }
  delete env.FORCE_COLOR
  delete env.NO_COLOR
  const result = spawnSync('npm', ['run', '--silent', script, '--', ...args], { cwd: repoRoot, env, encoding: 'utf8', timeout: 60_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** stderr without npm's own warnings (about the user's npm config, not about us). */
function ourLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('npm warn'))
}

describe('findChapter', () => {
  it.each(numbered.map((chapter) => [chapter.dir, chapter] as const))('finds %s by number, padded number, folder name and slug', (_, chapter) => {
    const n = chapter.number!
    for (const arg of [String(n), String(n).padStart(2, '0'), path.basename(chapter.dir), chapter.slug, `${chapter.dir}/`]) {
      expect(findChapter(arg), `findChapter("${arg}")`).toEqual(chapter)
    }
  })

  it.runIf(findChapter('03-http-parse'))('"3", "03", "03-http-parse" and "http-parse" all name chapters/03-http-parse', () => {
    for (const arg of ['3', '03', '03-http-parse', 'http-parse']) expect(findChapter(arg)?.dir).toBe('chapters/03-http-parse')
  })

  it('"final" names final/ when it exists', () => {
    const final = chapters.find((chapter) => chapter.dir === 'final')
    expect(findChapter('final')).toEqual(final)
    if (final) expect(final.number).toBeUndefined()
  })

  it('anything else is unknown', () => {
    for (const arg of ['99', '', '3x', '-1', '03-tcp-echo', 'nope']) expect(findChapter(arg), `findChapter("${arg}")`).toBeUndefined()
  })

  it('lists chapters in order, titled by their README heading without "Chapter N:"', () => {
    expect(numbered.map((chapter) => chapter.number)).toEqual([...numbered.map((chapter) => chapter.number!)].sort((a, b) => a - b))
    for (const chapter of chapters) expect(chapter.title).not.toMatch(/^#|^Chapter \d+:/)
  })
})

describe('npm run chapter', () => {
  it('with no argument lists every chapter, one line each, and says how to run one', () => {
    const { code, stdout } = npmRun('chapter', [])
    expect(code).toBe(0)
    for (const chapter of numbered) {
      expect(stdout).toMatch(new RegExp(`^  ${String(chapter.number).padStart(2, '0')}  ${chapter.slug} +\\S`, 'm'))
    }
    expect(stdout).toMatch(/npm run chapter \w+/)
  })

  it('an unknown chapter: one line, exit code 2', () => {
    const { code, stdout, stderr } = npmRun('chapter', ['99'])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(ourLines(stderr)).toEqual(['Unknown chapter "99". Run "npm run chapter" to list them.'])
  })

  it('an invalid port: one line, exit code 2', () => {
    const { code, stderr } = npmRun('chapter', ['1', '--port', 'abc'])
    expect(code).toBe(2)
    expect(ourLines(stderr)).toHaveLength(1)
    expect(stderr).toMatch(/Invalid port "abc"/)
  })

  describe('with a port already taken', () => {
    let blocker: net.Server | undefined
    afterEach(() => new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve())))

    it('says so in one line before starting anything, exit code 1', async () => {
      blocker = net.createServer()
      await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve))
      const { port } = blocker.address() as net.AddressInfo
      const { code, stderr } = npmRun('chapter', [String(numbered[0]!.number), '--port', String(port)])
      expect(code).toBe(1)
      expect(ourLines(stderr)).toEqual([`Port ${port} is in use (another server?). Stop it, or pick another: npm run chapter ${numbered[0]!.number} -- --port 9001`])
    })
  })

  it.runIf(numbered.length > 0)('runs the chapter, prints what to try on its port, and stops on Ctrl-C with exit code 0', async () => {
    const chapter = numbered[0]!
    const port = await findFreePort()
    const env = { ...process.env }
    delete env.FORCE_COLOR
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/chapter.ts', String(chapter.number), '--port', String(port)], {
      cwd: repoRoot,
      env,
      detached: true, // its own process group, as a terminal's foreground job is
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
    try {
      for (let waited = 0; !output.includes('Stop with Ctrl-C') && child.exitCode === null && waited < 20_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(output, 'it tells which chapter it runs').toContain(chapter.dir)
      expect(output, 'it says where it listens').toContain(`127.0.0.1:${port}`)
      expect(output).toContain('Stop with Ctrl-C')
      if (output.includes('Try it')) expect(output.slice(output.indexOf('Try it')), 'the try-it commands use the real port').not.toContain('8888')
      process.kill(-child.pid!, 'SIGINT') // what Ctrl-C does: the whole foreground group gets it
      expect(await exited, output).toEqual({ code: 0, signal: null })
      expect(output).not.toMatch(/\n\s+at /) // no stack trace
    } finally {
      killGroup(child.pid) // anything it left behind in its group
    }
  })
})

describe('npm run diff', () => {
  it.runIf(numbered.length >= 2)('piped: a header, the file summary and the patch, with no colour codes', () => {
    const [before, after] = [numbered[0]!, numbered[1]!]
    const { code, stdout } = npmRun('diff', [String(after.number)])
    expect(code).toBe(0)
    expect(stdout.split('\n')[0]).toBe(`Chapter ${after.number} (${after.slug}) over chapter ${before.number} (${before.slug}):`)
    expect(stdout).toMatch(/^ src\/\S+ +\| +\d+/m) // the summary, paths relative to the chapter
    expect(stdout).toContain(`--- ${before.dir}/src/`)
    expect(stdout).toContain(`+++ ${after.dir}/src/`)
    expect(stdout).not.toContain(ESC)
  })

  it.runIf(numbered.length >= 3)('any two chapters, in the order given', () => {
    const [first, third] = [numbered[0]!, numbered[2]!]
    const { code, stdout } = npmRun('diff', [String(first.number), String(third.number)])
    expect(code).toBe(0)
    expect(stdout.split('\n')[0]).toBe(`Chapter ${third.number} (${third.slug}) over chapter ${first.number} (${first.slug}):`)
  })

  it.runIf(numbered.length >= 1)('the first chapter has nothing before it: its files are listed instead', () => {
    const first = numbered[0]!
    const { code, stdout } = npmRun('diff', [String(first.number)])
    expect(code).toBe(0)
    expect(stdout).toContain(`Chapter ${first.number} (${first.slug}) is the first chapter`)
    expect(stdout).toMatch(/^ {2}src\/main\.ts +\d+ lines$/m)
  })

  it('an unknown chapter: one line, exit code 2', () => {
    const { code, stderr } = npmRun('diff', ['99'])
    expect(code).toBe(2)
    expect(ourLines(stderr)).toEqual(['Unknown chapter "99". Run "npm run chapter" to list them.'])
  })
})

/** Stop the command's whole process group; it may have ended already (ESRCH). */
