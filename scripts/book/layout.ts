// The frame around every page of the book: head, header, the page's own HTML, previous/next.
// Every asset href is relative, so the same files work served or opened from disk.

import { escapeHtml } from './highlight.ts'
import { relativeHref } from './links.ts'

export const BOOK_TITLE = 'Build your own HTTP server'
export const STYLESHEET = 'assets/book.css'
export const MERMAID_SCRIPT = 'assets/vendor/mermaid.min.js'
export const DIAGRAM_SCRIPT = 'assets/diagrams.js'

export interface NavLink {
  sitePath: string
  title: string
}

export interface PageFrame {
  sitePath: string
  title: string
  body: string
  /** Drawn in the browser: the mermaid library is loaded only on pages that have diagrams. */
  diagrams: number
  previous?: NavLink
  next?: NavLink
  /** A line of links above the text (the chapter a diff or a source file belongs to). */
  breadcrumbs?: NavLink[]
  /** A wider column for diffs and source files. */
  wide?: boolean
}

export function renderFrame(page: PageFrame): string {
  const href = (to: string) => escapeHtml(relativeHref(page.sitePath, to))
  const link = (to: NavLink, rel = '') => `<a href="${href(to.sitePath)}"${rel ? ` rel="${rel}"` : ''}>${escapeHtml(to.title)}</a>`
  const crumbs = [{ sitePath: 'index.html', title: 'Contents' }, ...(page.breadcrumbs ?? [])]
  const pager =
    page.previous || page.next
      ? `<nav class="pager" aria-label="Previous and next">
  <span class="previous">${page.previous ? `<small>Previous</small>${link(page.previous, 'prev')}` : ''}</span>
  <span class="next">${page.next ? `<small>Next</small>${link(page.next, 'next')}` : ''}</span>
</nav>`
      : ''
  const scripts = page.diagrams > 0 ? `\n<script src="${href(MERMAID_SCRIPT)}"></script>\n<script src="${href(DIAGRAM_SCRIPT)}"></script>` : ''
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title === BOOK_TITLE ? BOOK_TITLE : `${page.title} · ${BOOK_TITLE}`)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${href(STYLESHEET)}">
</head>
<body${page.wide ? ' class="wide"' : ''}>
<header class="site">
  <a class="book-title" href="${href('index.html')}">${escapeHtml(BOOK_TITLE)}</a>
  <nav class="crumbs" aria-label="Where you are">${crumbs.map((crumb) => link(crumb)).join(' <span aria-hidden="true">›</span> ')}</nav>
</header>
<main>
${page.body}
</main>
<footer>
${pager}
</footer>${scripts}
</body>
</html>
`
}
