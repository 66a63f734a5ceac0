// Builds the book into a folder: the contents, the introduction and every chapter's explainer,
// each chapter's diff over the one before, the files the explainers link to, and the assets.

import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { capitalise, listChapters, type Chapter } from '../chapters.ts'
import { repoRoot } from '../kit/paths.ts'
import { diffChapters, renderDiff } from './diff-page.ts'
import { BOOK_TITLE, DIAGRAM_SCRIPT, MERMAID_SCRIPT, STYLESHEET, renderFrame, type NavLink, type PageFrame } from './layout.ts'
import { LinkMap } from './links.ts'
import { renderMarkdown } from './markdown.ts'
import { renderChapterBar, renderContents, renderFolder, renderSource, type ContentsEntry } from './pages.ts'

/** Left in every book folder, so a rebuild may clear it and nothing else. */
export const BOOK_MARKER = '.workbook-book'
const MERMAID_LIBRARY = path.join(repoRoot, 'node_modules', 'mermaid', 'dist', 'mermaid.min.js')

export interface BuiltPage {
  sitePath: string
  title: string
  /** Mermaid diagrams on the page, each to become an SVG in the browser. */
  diagrams: number
}

interface Explainer extends NavLink {
  repoPath: string
  chapter?: Chapter
  written: boolean
}

export function buildBook(outDir: string): BuiltPage[] {
  const chapters = listChapters()
  const introduction = existsSync(path.join(repoRoot, 'README.md')) ? readFileSync(path.join(repoRoot, 'README.md'), 'utf8') : ''
  const links = new LinkMap(repoRoot)
  const explainers: Explainer[] = []
  if (introduction) explainers.push({ repoPath: 'README.md', sitePath: 'introduction.html', title: 'Introduction', written: true })
  for (const chapter of chapters) {
    const repoPath = `${chapter.dir}/README.md`
    const written = existsSync(path.join(repoRoot, repoPath))
    explainers.push({ repoPath, sitePath: `${chapter.dir}/index.html`, title: chapterTitle(chapter, written, introduction), chapter, written })
  }
  // The teacher's page, after the last chapter: rendered like the rest, not shown as Markdown source.
  if (existsSync(path.join(repoRoot, 'TEACHING.md'))) explainers.push({ repoPath: 'TEACHING.md', sitePath: 'teaching.html', title: 'Teaching with the workbook', written: true })
  links.addPage('', 'index.html')
  links.addPage('chapters', 'index.html')
  for (const explainer of explainers) {
    links.addPage(explainer.repoPath, explainer.sitePath)
    if (explainer.chapter) links.addPage(explainer.chapter.dir, explainer.sitePath) // a chapter without its README yet still has a page
  }

  const pages: PageFrame[] = []
  const contents: ContentsEntry[] = []
  explainers.forEach((explainer, i) => {
    const previous = explainers[i - 1]
    const chapter = explainer.chapter
    const diff = chapter && previous?.chapter ? { sitePath: `${chapter.dir}/diff.html`, title: `${capitalise(shortName(chapter))}: what changed since ${shortName(previous.chapter)}` } : undefined
    const rendered = explainer.written
      ? renderMarkdown(readFileSync(path.join(repoRoot, explainer.repoPath), 'utf8'), (href) => links.resolve(href, explainer.repoPath, explainer.sitePath))
      : { html: `<h1>${explainer.title}</h1>\n<p class="pending-note">The explainer for this chapter is not written yet. Its code, its tests and what it changed are linked above.</p>`, title: undefined, diagrams: 0 }
    const bar = chapter ? renderChapterBar(chapter, explainer.sitePath, links, diff?.sitePath, previous?.chapter ? shortName(previous.chapter) : undefined) : ''
    const title = explainer.written && rendered.title && chapter ? rendered.title : explainer.title
    const next = explainers[i + 1]
    pages.push({ sitePath: explainer.sitePath, title, body: injectAfterHeading(rendered.html, bar), diagrams: rendered.diagrams, ...(previous && { previous }), ...(next && { next }) })
    if (diff && chapter && previous?.chapter) {
      const body = `<h1>${diff.title}</h1>\n<p class="lede">The code of <code>${previous.chapter.dir}/</code> against <code>${chapter.dir}/</code> (<code>src/</code> and <code>test/</code>), as <code>npm run diff ${chapter.number ?? 'final'}</code> shows it.</p>\n${renderDiff(diffChapters(repoRoot, previous.chapter.dir, chapter.dir))}`
      pages.push({ sitePath: diff.sitePath, title: diff.title, body, diagrams: 0, wide: true, breadcrumbs: [{ sitePath: explainer.sitePath, title }] })
    }
    contents.push({ sitePath: explainer.sitePath, title, label: chapter ? (chapter.number === undefined ? 'final' : String(chapter.number).padStart(2, '0')) : undefined, written: explainer.written, ...(diff && { diffSitePath: diff.sitePath, diffTitle: `what changed since ${shortName(previous!.chapter!)}` }) })
  })
  pages.unshift({ sitePath: 'index.html', title: BOOK_TITLE, body: renderContents(contents, BOOK_TITLE), diagrams: 0, ...(explainers[0] && { next: explainers[0] }) })

  // Folder pages register their entries as they render, so keep going until nothing new appears.
  const rendered = new Set<string>()
  for (let pending = [...links.extras.values()]; pending.length > 0; pending = [...links.extras.values()].filter((extra) => !rendered.has(extra.repoPath))) {
    for (const extra of pending) {
      rendered.add(extra.repoPath)
      if (extra.kind === 'raw') copyInto(outDir, path.join(repoRoot, extra.repoPath), extra.sitePath)
      else {
        const body = extra.kind === 'folder' ? renderFolder(repoRoot, extra.repoPath, extra.sitePath, links) : renderSource(repoRoot, extra.repoPath)
        pages.push({ sitePath: extra.sitePath, title: extra.repoPath, body, diagrams: 0, wide: extra.kind === 'source', breadcrumbs: breadcrumbsFor(extra.repoPath, explainers) })
      }
    }
  }

  for (const page of pages) writeInto(outDir, page.sitePath, renderFrame(page))
  copyInto(outDir, path.join(import.meta.dirname, 'book.css'), STYLESHEET)
  copyInto(outDir, path.join(import.meta.dirname, 'diagrams.js'), DIAGRAM_SCRIPT)
  if (!existsSync(MERMAID_LIBRARY)) throw new Error(`${MERMAID_LIBRARY} is missing: run npm install`)
  copyInto(outDir, MERMAID_LIBRARY, MERMAID_SCRIPT)
  writeInto(outDir, BOOK_MARKER, 'Built by `npm run book`; the next build replaces this folder.\n')
  return pages.map((page) => ({ sitePath: page.sitePath, title: page.title, diagrams: page.diagrams }))
}

/** From the chapter's README; until it is written, from the introduction's list of chapters. */
function chapterTitle(chapter: Chapter, written: boolean, introduction: string): string {
  const listed = new RegExp(`\\[(?:\\d+\\s+)?([^\\]]+)\\]\\(${chapter.dir}/README\\.md\\)`).exec(introduction)?.[1]
  const title = written ? chapter.title : (listed ?? chapter.slug.replaceAll('-', ' '))
  if (chapter.number === undefined) return written ? title : 'The final server'
  return `Chapter ${chapter.number}: ${title}`
}

function shortName(chapter: Chapter): string {
  return chapter.number === undefined ? 'final' : `chapter ${chapter.number}`
}

/** The chapter bar goes under the page's title, not above it. */
function injectAfterHeading(html: string, bar: string): string {
  const end = html.indexOf('</h1>')
  return end === -1 ? bar + html : html.slice(0, end + 5) + '\n' + bar + html.slice(end + 5)
}

function breadcrumbsFor(repoPath: string, explainers: Explainer[]): NavLink[] {
  const owner = explainers.find((explainer) => explainer.chapter && repoPath.startsWith(`${explainer.chapter.dir}/`))
  return owner ? [owner] : []
}

function writeInto(outDir: string, sitePath: string, content: string): void {
  const target = path.join(outDir, sitePath)
  mkdirSync(path.dirname(target), { recursive: true })
  writeFileSync(target, content)
}

function copyInto(outDir: string, source: string, sitePath: string): void {
  const target = path.join(outDir, sitePath)
  mkdirSync(path.dirname(target), { recursive: true })
  copyFileSync(source, target)
}
