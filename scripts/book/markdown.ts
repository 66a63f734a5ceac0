// One explainer, markdown to HTML with `marked`: links rewritten to the book's pages, code
// highlighted at build time, mermaid blocks left for the browser to draw, headings given ids.

import { Marked, type Tokens } from 'marked'
import { escapeHtml, highlightCode } from './highlight.ts'
import { plainText, slugify, uniqueId } from '../lib/headings.ts'

export interface RenderedMarkdown {
  html: string
  /** The first level-1 heading, as text. */
  title: string | undefined
  /** How many ```mermaid blocks the page has: the browser test expects as many SVGs. */
  diagrams: number
}

/** Turns a link's href into the one to print, or undefined when its target is missing. */
export type ResolveHref = (href: string) => string | undefined

const LOOKS_LIKE_A_PATH = /^(?!\/)[\w@.-]+(?:\/[\w@.-]+)*(?:\/|\.[a-z]{1,4})$/ // relative, with a slash or an extension

export function renderMarkdown(markdown: string, resolveHref: ResolveHref): RenderedMarkdown {
  let title: string | undefined
  let diagrams = 0
  const usedIds = new Map<string, number>()

  const marked = new Marked({
    gfm: true,
    renderer: {
      code({ text, lang }: Tokens.Code) {
        const language = (lang ?? '').trim().split(/\s+/)[0]!.toLowerCase()
        if (language === 'mermaid') {
          diagrams++
          // Mermaid reads the element's text, so the source is escaped like any other text.
          return `<pre class="mermaid">${escapeHtml(text)}</pre>\n`
        }
        const label = language ? ` data-lang="${escapeHtml(language)}"` : ''
        return `<pre class="code"${label}><code>${highlightCode(text, language)}</code></pre>\n`
      },
      heading({ tokens, depth, text }: Tokens.Heading) {
        const plain = plainText(text)
        if (depth === 1 && title === undefined) title = plain
        const id = uniqueId(slugify(plain), usedIds)
        return `<h${depth} id="${id}"><a class="anchor" href="#${id}" aria-hidden="true">#</a>${this.parser.parseInline(tokens)}</h${depth}>\n`
      },
      link({ href, title: tooltip, tokens }: Tokens.Link) {
        const inner = this.parser.parseInline(tokens)
        const resolved = resolveHref(href)
        if (resolved === undefined) return `<span class="missing-link" title="not written yet">${inner}</span>`
        const titleAttribute = tooltip ? ` title="${escapeHtml(tooltip)}"` : ''
        return `<a href="${escapeHtml(resolved)}"${titleAttribute}>${inner}</a>`
      },
      codespan({ text }: Tokens.Codespan) {
        // `src/static-files.ts` in the text links to that file when it exists: the reader can look.
        const href = LOOKS_LIKE_A_PATH.test(text) ? resolveHref(text) : undefined
        const code = `<code>${escapeHtml(text)}</code>`
        return href === undefined ? code : `<a class="file-link" href="${escapeHtml(href)}">${code}</a>`
      },
      image({ href, title: tooltip, text }: Tokens.Image) {
        const resolved = resolveHref(href)
        if (resolved === undefined) return escapeHtml(text)
        const titleAttribute = tooltip ? ` title="${escapeHtml(tooltip)}"` : ''
        return `<img src="${escapeHtml(resolved)}" alt="${escapeHtml(text)}"${titleAttribute}>`
      },
    },
  })

  const html = marked.parse(markdown, { async: false })
  return { html, title, diagrams }
}
