// The book, end to end: built into a temporary folder, served by the workbook's own finished
// server (as `npm run book` does), and read by headless Chromium. Every page loads without an
// error, every diagram becomes an SVG, and every link inside the book answers 200.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildBook, type BuiltPage } from './book/build.ts'
import { LinkMap } from './book/links.ts'
import { renderFolder } from './book/pages.ts'
import { browserUnavailableReason, launchBrowser, otherServer, repoRoot, startServer, type LaunchedBrowser, type RunningServer } from './kit/index.ts'

const reference = existsSync(path.join(repoRoot, 'final', 'src', 'main.ts')) ? 'final' : 'chapters/07-threads'
const PAGES_AT_ONCE = 4 // browser tabs open together: enough to finish fast on 2 cores
const FETCHES_AT_ONCE = 8
// Building the book (shiki colours every file) and opening its ~250 pages in Chromium took 76 s on
// its own on a busy 2-core machine, and over 90 s inside a full npm test: a budget, not a measure.
const SETUP_TIMEOUT_MS = 300_000 // 5 minutes
const DIAGRAM_TIMEOUT_MS = 15_000 // mermaid is 3.5 MB of script; a cold parse on a slow machine

// Run in the page (as source text: this project's TypeScript has no DOM types).
const RAW_DIAGRAMS = `[...document.querySelectorAll('pre.mermaid')].filter((block) => !block.querySelector('svg')).map((block) => block.textContent.trim().split('\\n')[0])`
const ERROR_DIAGRAMS = `document.querySelectorAll('pre.mermaid svg[aria-roledescription="error"]').length`
const LINKED_URLS = `[...document.querySelectorAll('a[href], link[href], script[src], img[src]')].map((element) => element.href || element.src)`

interface PageVisit {
  sitePath: string
  errors: string[]
  /** Absolute URLs of the page's links and assets on the book's own origin, fragments dropped. */
  internalLinks: string[]
}

// A learner's WORKBOOK_SERVER is for the chapters' suites; the book is served by the reference.
describe.skipIf(browserUnavailableReason() || otherServer)('the book, served by the server it builds', () => {
  let siteDir: string
  let pages: BuiltPage[]
  let server: RunningServer
  let browser: LaunchedBrowser
  let visits: PageVisit[]

  beforeAll(async () => {
    siteDir = mkdtempSync(path.join(os.tmpdir(), 'book-test-'))
    pages = buildBook(siteDir)
    server = await startServer({ reference, root: siteDir })
    browser = await launchBrowser()
    visits = await mapAtMost(PAGES_AT_ONCE, pages, (page) => visit(page, `http://${server.host}:${server.port}/`))
  }, SETUP_TIMEOUT_MS)

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    if (siteDir) rmSync(siteDir, { recursive: true, force: true })
  })

  it('has a contents page, the introduction and a page per chapter', () => {
    const sitePaths = pages.map((page) => page.sitePath)
    expect(sitePaths).toContain('index.html')
    expect(sitePaths).toContain('introduction.html')
    expect(sitePaths).toContain('chapters/01-tcp-echo/index.html')
    expect(sitePaths).toContain('chapters/02-stream-handler/diff.html')
  })

  it('opens every page without a console error, and draws every diagram as an SVG', () => {
    const broken = visits.filter((page) => page.errors.length > 0).map((page) => `${page.sitePath}:\n  ${page.errors.join('\n  ')}`)
    expect(broken, `These pages had errors in the browser:\n${broken.join('\n')}`).toEqual([])
    expect(pages.some((page) => page.diagrams > 0), 'no page has a diagram: the diagram check checked nothing').toBe(true)
  })

  it('answers 200 for every link inside the book', async () => {
    const links = [...new Set(visits.flatMap((page) => page.internalLinks))]
    const statuses = await mapAtMost(FETCHES_AT_ONCE, links, async (url) => ({ url, status: await fetchStatus(url) }))
    const failing = statuses.filter(({ status }) => status !== 200).map(({ url, status }) => `${status} ${url} (linked from ${linkedFrom(url, visits)})`)
    expect(failing, `These links inside the book do not answer 200:\n${failing.join('\n')}`).toEqual([])
    expect(links.length).toBeGreaterThan(pages.length)
  })

  async function visit(built: BuiltPage, base: string): Promise<PageVisit> {
    const page = await browser.context.newPage()
    const errors: string[] = []
    page.on('console', (message) => message.type() === 'error' && errors.push(`console: ${message.text()}`))
    page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`))
    try {
      const url = new URL(built.sitePath.split('/').map(encodeURIComponent).join('/'), base).href
      const response = await page.goto(url, { waitUntil: 'load' })
      if (response?.status() !== 200) errors.push(`the page itself answered ${response?.status()}`)
      if (built.diagrams > 0) {
        const drawn = await page
          .waitForFunction(`document.querySelectorAll('pre.mermaid svg').length === ${built.diagrams}`, undefined, { timeout: DIAGRAM_TIMEOUT_MS })
          .then(() => true)
          .catch(() => false)
        const raw = await page.evaluate<string[]>(RAW_DIAGRAMS)
        if (!drawn || raw.length > 0) errors.push(`${raw.length} of ${built.diagrams} diagrams are still raw text, not SVG: ${raw.join(' | ')}`)
        const wrong = await page.evaluate<number>(ERROR_DIAGRAMS)
        if (wrong > 0) errors.push(`${wrong} of ${built.diagrams} diagrams are mermaid's "Syntax error" picture: check their source`)
      }
      const hrefs = await page.evaluate<string[]>(LINKED_URLS)
      const origin = new URL(base).origin
      const internalLinks = hrefs.filter((href) => href.startsWith(`${origin}/`)).map((href) => href.replace(/#.*$/, ''))
      return { sitePath: built.sitePath, errors, internalLinks }
    } finally {
      await page.close()
    }
  }
})

async function fetchStatus(url: string): Promise<number | string> {
  try {
    const response = await fetch(url, { redirect: 'manual' })
    await response.arrayBuffer()
    return response.status
  } catch (error) {
    return `no answer (${(error as Error).message})`
  }
}

function linkedFrom(url: string, visits: PageVisit[]): string {
  return visits.filter((page) => page.internalLinks.includes(url)).map((page) => page.sitePath).slice(0, 3).join(', ')
}

/** `map` with at most `limit` promises pending at once, results in order. */
async function mapAtMost<T, R>(limit: number, items: T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await task(items[index]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

describe('what the book publishes', () => {
  it('in a git checkout, only what git tracks: a stray file beside the code is neither linked nor listed', () => {
    const repo = mkdtempSync(path.join(os.tmpdir(), 'book-links-'))
    try {
      mkdirSync(path.join(repo, 'src'))
      writeFileSync(path.join(repo, 'src', 'server.ts'), 'export {}\n')
      writeFileSync(path.join(repo, 'src', 'echo.py'), 'print("mine")\n')
      expect(spawnSync('git', ['init', '-q'], { cwd: repo }).status).toBe(0)
      expect(spawnSync('git', ['add', 'src/server.ts'], { cwd: repo }).status).toBe(0)
      const links = new LinkMap(repo)
      expect(links.sitePathFor('src/server.ts')).toBe('src/server.ts.html')
      expect(links.sitePathFor('src/echo.py'), 'an untracked file').toBeUndefined()
      const listing = renderFolder(repo, 'src', 'src/index.html', links)
      expect(listing).toContain('server.ts')
      expect(listing).not.toContain('echo.py')
    } finally {
      rmSync(repo, { recursive: true, force: true })
    }
  })
})
