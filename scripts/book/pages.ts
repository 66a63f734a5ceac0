// The bodies of the pages the book generates rather than renders from markdown: the contents,
// the bar of links above a chapter, a folder listing, a source file.

import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Chapter } from '../chapters.ts'
import { escapeHtml, highlightCode, languageForFile } from './highlight.ts'
import { relativeHref, type LinkMap } from './links.ts'

export interface ContentsEntry {
  sitePath: string
  title: string
  /** `01`, or `final`; undefined for the introduction. */
  label: string | undefined
  written: boolean
  diffSitePath?: string
  diffTitle?: string
}

export function renderContents(entries: ContentsEntry[], bookTitle: string): string {
  const items = entries
    .map((entry) => {
      const number = entry.label ? `<span class="number">${escapeHtml(entry.label)}</span>` : '<span class="number"></span>'
      const title = `<a href="${escapeHtml(relativeHref('index.html', entry.sitePath))}">${escapeHtml(entry.title)}</a>`
      const pending = entry.written ? '' : ' <span class="pending">explainer not written yet</span>'
      const diff = entry.diffSitePath ? ` <a class="diff-link" href="${escapeHtml(relativeHref('index.html', entry.diffSitePath))}">${escapeHtml(entry.diffTitle ?? 'what changed')}</a>` : ''
      return `<li>${number}<span class="entry">${title}${pending}${diff}</span></li>`
    })
    .join('\n')
  return `<h1>${escapeHtml(bookTitle)}</h1>
<p class="lede">A workbook: a real HTTP/1.1 server on raw TCP sockets, in TypeScript, one chapter at a time.
Each chapter has its explainer and the diff of its code over the chapter before, which is the lesson itself.</p>
<h2 id="contents">Contents</h2>
<ol class="contents">
${items}
</ol>
<p class="served-by">This book is served by the server it builds: <code>npm run book</code> renders it and serves it with <code>final/</code>.</p>`
}

/** The links above a chapter's text: its diff, its code, and the commands to run and test it. */
export function renderChapterBar(chapter: Chapter, fromSitePath: string, links: LinkMap, diffSitePath: string | undefined, previousTitle: string | undefined): string {
  const parts: string[] = []
  if (diffSitePath) parts.push(`<a href="${escapeHtml(relativeHref(fromSitePath, diffSitePath))}">What changed since ${escapeHtml(previousTitle ?? 'the chapter before')}</a>`)
  for (const folder of ['src', 'test']) {
    const target = links.sitePathFor(`${chapter.dir}/${folder}`)
    if (target) parts.push(`<a href="${escapeHtml(relativeHref(fromSitePath, target))}"><code>${folder}/</code></a>`)
  }
  const label = chapter.number === undefined ? 'final' : String(chapter.number)
  const run = chapter.number === undefined ? 'npm start' : `npm run chapter ${label}`
  const test = chapter.number === undefined ? 'npm test -- final' : `npm test -- chapters/${String(chapter.number).padStart(2, '0')}`
  parts.push(`run it: <code>${run}</code>`, `test it: <code>${test}</code>`)
  return `<p class="chapter-bar">${parts.join(' <span aria-hidden="true">·</span> ')}</p>`
}

/** A folder a link named: its files and subfolders, each a link into the book. */
export function renderFolder(repoRoot: string, repoPath: string, sitePath: string, links: LinkMap): string {
  const entries = readdirSync(path.join(repoRoot, repoPath), { withFileTypes: true })
    .filter((entry) => links.isPublished(repoPath === '' ? entry.name : `${repoPath}/${entry.name}`))
    .sort((a, b) => Number(b.isDirectory()) - Number(a.isDirectory()) || a.name.localeCompare(b.name))
  const items = entries.map((entry) => {
    const name = entry.isDirectory() ? `${entry.name}/` : entry.name
    const target = links.sitePathFor(`${repoPath}/${entry.name}`)
    return target ? `<li><a href="${escapeHtml(relativeHref(sitePath, target))}"><code>${escapeHtml(name)}</code></a></li>` : `<li><code>${escapeHtml(name)}</code></li>`
  })
  return `<h1><code>${escapeHtml(repoPath)}/</code></h1>\n<ul class="folder">\n${items.join('\n') || '<li>(empty)</li>'}\n</ul>`
}

/** A text file a link named, highlighted when its language is known. */
export function renderSource(repoRoot: string, repoPath: string): string {
  const text = readFileSync(path.join(repoRoot, repoPath), 'utf8')
  const lines = text.replace(/\n$/, '').split('\n').length
  return `<h1><code>${escapeHtml(repoPath)}</code></h1>
<p class="file-info">${lines} line${lines === 1 ? '' : 's'}</p>
<pre class="code source"><code>${highlightCode(text, languageForFile(repoPath))}</code></pre>`
}
