// The book's syntax highlighting: shiki, with the TextMate grammars VS Code uses, run at build
// time, so the site needs no script and no CDN to colour code. Only the grammars the book needs are
// loaded, with the Oniguruma regex engine as WebAssembly from shiki's own package (no network); it
// tokenizes the book's code about 1.7 times as fast as shiki's JavaScript regex engine. Creating the
// highlighter is async, so this module creates it once, with a top-level await, when it is first
// imported: every function below stays synchronous, and so does the book's build.
//
// Each coloured token becomes <span style="--shiki-light:#…;--shiki-dark:#…">: both themes' colours
// as custom properties, and book.css picks one by the reader's colour scheme. Text in the themes'
// default colour gets no span and takes the page's code colour.

import { createHighlighterCore, type ThemedToken } from 'shiki/core'
import { createOnigurumaEngine } from 'shiki/engine/oniguruma'
import css from 'shiki/langs/css.mjs'
import diff from 'shiki/langs/diff.mjs'
import html from 'shiki/langs/html.mjs'
import javascript from 'shiki/langs/javascript.mjs'
import json from 'shiki/langs/json.mjs'
import python from 'shiki/langs/python.mjs'
import shellscript from 'shiki/langs/shellscript.mjs'
import typescript from 'shiki/langs/typescript.mjs'
import githubDark from 'shiki/themes/github-dark-default.mjs'
import githubLight from 'shiki/themes/github-light-default.mjs'

// GitHub's current themes: of shiki's themes, the ones whose every colour keeps a contrast of about
// 4:1 or more on the book's code, added-line and removed-line backgrounds, light and dark.
const THEMES = { light: githubLight, dark: githubDark }

/** A fence's language or a file's extension, to the grammar that colours it. */
const LANGUAGES: Record<string, string> = {
  ts: 'typescript',
  typescript: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  js: 'javascript',
  javascript: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  py: 'python',
  python: 'python',
  sh: 'shellscript',
  bash: 'shellscript',
  shell: 'shellscript',
  console: 'shellscript',
  json: 'json',
  html: 'html',
  htm: 'html',
  css: 'css',
  diff: 'diff',
  patch: 'diff',
}

const highlighter = await createHighlighterCore({
  themes: [THEMES.light, THEMES.dark],
  langs: [typescript, javascript, python, shellscript, json, html, css, diff],
  engine: createOnigurumaEngine(import('shiki/wasm')),
})
const plainStyle = `--shiki-light:${highlighter.getTheme(THEMES.light).fg};--shiki-dark:${highlighter.getTheme(THEMES.dark).fg}`.toLowerCase()
const cache = new Map<string, string[]>() // the chapters share many files: each is coloured once

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;')
}

/** Is there a highlighter for this language name (a fence's info string, or a file extension)? */
export function isKnownLanguage(lang: string): boolean {
  return Object.hasOwn(LANGUAGES, lang.toLowerCase())
}

/** HTML for `code`: escaped, and with token spans when the language is known; plain text otherwise. */
export function highlightCode(code: string, lang = ''): string {
  return highlightLines(code, lang).join('\n')
}

/**
 * `code` highlighted as a whole (a string or comment that spans lines is coloured as one), then
 * split into lines: one HTML string per line of `code`, each closing every span it opens.
 */
export function highlightLines(code: string, lang = ''): readonly string[] {
  if (!isKnownLanguage(lang)) return code.split(/\r?\n/).map(escapeHtml)
  const grammar = LANGUAGES[lang.toLowerCase()]!
  const key = `${grammar}\0${code}`
  let lines = cache.get(key)
  if (!lines) {
    const { tokens } = highlighter.codeToTokens(code, { lang: grammar, themes: THEMES, defaultColor: false })
    lines = tokens.map(renderLine)
    cache.set(key, lines)
  }
  return lines
}

/** The language to highlight a file in, from its name: `static-files.ts` is ts. */
export function languageForFile(filePath: string): string {
  const extension = filePath.slice(filePath.lastIndexOf('.') + 1).toLowerCase()
  return isKnownLanguage(extension) ? extension : ''
}

/** One line's tokens as HTML; neighbours of the same style share a span. */
function renderLine(tokens: ThemedToken[]): string {
  let html = ''
  let style = ''
  let text = ''
  const flush = () => {
    if (text) html += style === '' || style === plainStyle ? escapeHtml(text) : `<span style="${escapeHtml(style)}">${escapeHtml(text)}</span>`
    text = ''
  }
  for (const token of tokens) {
    const tokenStyle = Object.entries(token.htmlStyle ?? {})
      .map(([property, value]) => `${property}:${value}`)
      .join(';')
      .toLowerCase()
    // Whitespace looks the same in any colour: it joins the span around it.
    if (tokenStyle !== style && token.content.trim() !== '') {
      flush()
      style = tokenStyle
    }
    text += token.content
  }
  flush()
  return html
}
