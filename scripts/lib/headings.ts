// The headings of a Markdown file and their ids, made as the book makes them (GitHub's rule), so
// that `chapters/03-http-parse/README.md#slug` means the same section in a test's hint, in the
// book and on GitHub.

import { readFileSync } from 'node:fs'

export interface Heading {
  depth: number
  /** The heading as a reader sees it, without Markdown: `Parsing the request line`. */
  text: string
  /** Its id: `parsing-the-request-line`; a repeated heading gets `-1`, `-2`. */
  id: string
}

/** GitHub's heading ids, so `README.md#the-blogs-version` links keep working in the book. */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .trim()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

/** Gives repeated slugs GitHub's `-1`, `-2` suffixes; `used` is per page. */
export function uniqueId(slug: string, used: Map<string, number>): string {
  const base = slug || 'section'
  const count = used.get(base) ?? 0
  used.set(base, count + 1)
  return count === 0 ? base : `${base}-${count}`
}

/** A heading's inline Markdown as plain text: code spans, links and emphasis unwrapped. */
export function plainText(markdownInline: string): string {
  return markdownInline
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_]/g, '')
    .replace(/&amp;/g, '&')
    .trim()
}

/** Every ATX heading of a Markdown file (`## Title`), outside fenced code blocks. */
export function readHeadings(file: string): Heading[] {
  const headings: Heading[] = []
  const used = new Map<string, number>()
  let fence: string | undefined
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const fenceMark = /^\s*(```|~~~)/.exec(line)?.[1]
    if (fenceMark && (fence === undefined || fence === fenceMark)) {
      fence = fence === undefined ? fenceMark : undefined
      continue
    }
    if (fence !== undefined) continue
    const match = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line)
    if (!match) continue
    const text = plainText(match[2]!)
    headings.push({ depth: match[1]!.length, text, id: uniqueId(slugify(text), used) })
  }
  return headings
}
