// The chapters on disk: `chapters/NN-slug/` in order, then `final/`, each titled by its README.

import { existsSync, readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { repoRoot } from './kit/paths.ts'

export interface Chapter {
  /** 3 for `chapters/03-http-parse`; undefined for `final`. */
  number: number | undefined
  /** `http-parse`, or `final`. */
  slug: string
  /** The folder, relative to the repository: `chapters/03-http-parse`, or `final`. */
  dir: string
  /** The README's first heading without its `Chapter N:` prefix: `Parsing a request`. */
  title: string
}

const CHAPTER_DIR = /^(\d\d)-([a-z0-9][a-z0-9-]*)$/

export function listChapters(): Chapter[] {
  const chaptersDir = path.join(repoRoot, 'chapters')
  const names = existsSync(chaptersDir) ? readdirSync(chaptersDir, { withFileTypes: true }) : []
  const chapters = names
    .filter((entry) => entry.isDirectory() && CHAPTER_DIR.test(entry.name))
    .map((entry) => entry.name)
    .sort()
    .map((name): Chapter => {
      const [, number, slug] = CHAPTER_DIR.exec(name)!
      const dir = `chapters/${name}`
      return { number: Number(number), slug: slug!, dir, title: readTitle(dir) }
    })
  if (existsSync(path.join(repoRoot, 'final'))) chapters.push({ number: undefined, slug: 'final', dir: 'final', title: readTitle('final') })
  return chapters
}

/** Accepts `3`, `03`, `03-http-parse`, `http-parse`, `chapters/03-http-parse/` and `final`. */
export function findChapter(arg: string): Chapter | undefined {
  const wanted = arg.trim().toLowerCase().replace(/\/+$/, '').replace(/^(\.\/)?chapters\//, '')
  if (wanted === '') return undefined
  return listChapters().find((chapter) => {
    if (/^\d+$/.test(wanted)) return chapter.number === Number(wanted)
    return wanted === chapter.slug || wanted === path.basename(chapter.dir)
  })
}

/** `chapter 3 (http-parse)`, or `the final server`: for sentences. */
export function describeChapter(chapter: Chapter): string {
  return chapter.number === undefined ? 'the final server' : `chapter ${chapter.number} (${chapter.slug})`
}

/** `chapter 3 (http-parse)` at the start of a sentence. */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function readTitle(dir: string): string {
  const readme = path.join(repoRoot, dir, 'README.md')
  if (!existsSync(readme)) return '(no README.md yet)'
  const heading = readFileSync(readme, 'utf8')
    .split(/\r?\n/)
    .find((line) => /^#\s/.test(line))
  if (!heading) return '(README.md has no title)'
  return heading.replace(/^#\s+/, '').replace(/^Chapter\s+\d+\s*[:.—–-]\s*/i, '').trim()
}
