// How `npm run progress` words its results: the table's rows, the first failure, the summary line.

import { existsSync } from 'node:fs'
import path from 'node:path'
import { chalk } from 'zx'
import type { Chapter } from '../chapters.ts'
import { repoRoot } from '../kit/paths.ts'
import { readHeadings } from '../lib/headings.ts'
import type { SuiteResult } from '../lib/run-suite.ts'

const MAX_MESSAGE_LINES = 25 // enough for the kit's "Sent ... Received ..." transcript
const TITLE_WIDTH_LIMIT = 42

export interface ChapterResult {
  chapter: Chapter
  title: string
  result: SuiteResult
}

export interface Columns {
  title: number
}

export function measureColumns(titles: string[]): Columns {
  return { title: Math.min(TITLE_WIDTH_LIMIT, Math.max('title'.length, ...titles.map((title) => title.length))) }
}

export function formatHeader(columns: Columns): string {
  return chalk.dim(`  ${'chapter'.padEnd(8)}${'title'.padEnd(columns.title + 2)}${'passed'.padStart(9)}  ${'skipped'.padEnd(9)}status`)
}

/** The start of a row, printed before the chapter runs, so a slow chapter shows where it is. */
export function formatRowStart(chapter: Chapter, title: string, columns: Columns): string {
  return `  ${chapterLabel(chapter).padEnd(8)}${truncate(title, columns.title).padEnd(columns.title + 2)}`
}

export function formatRowEnd({ result }: ChapterResult): string {
  const passed = result.crashed && result.passed + result.failed === 0 ? '-' : `${result.passed}/${result.passed + result.failed}`
  const skipped = result.skipped > 0 ? String(result.skipped) : ''
  const status = passes(result) ? chalk.green('✓') : chalk.red('✗')
  const note = result.crashed ? chalk.red(`  ${result.crashed.split('\n')[0]}`) : ''
  const seconds = chalk.dim(`  ${(result.durationMs / 1000).toFixed(1)} s`)
  return `${passed.padStart(9)}  ${skipped.padEnd(9)}${status}${note}${seconds}`
}

/** The first failing test of a chapter, with its message as the kit wrote it (stack traces dropped) and its hint. */
export function formatFirstFailure({ chapter, title, result }: ChapterResult): string {
  const heading = `First failure, in ${chapterLabel(chapter) === 'final' ? 'final/' : `chapter ${chapter.number}`} (${title}):`
  if (!result.firstFailure) return `${chalk.bold(heading)}\n    ${result.crashed ?? 'no failing test was reported'}`
  const { file, name, message, hint } = result.firstFailure
  const lines = message.split('\n')
  const shown = lines.slice(0, MAX_MESSAGE_LINES)
  if (lines.length > shown.length) shown.push(chalk.dim(`... (${lines.length - shown.length} more lines: npm test -- ${chapter.dir})`))
  return [chalk.bold(heading), `  ${chalk.red('✗')} ${name}  ${chalk.dim(file)}`, ...shown.map((line) => `    ${line}`), ...(hint ? ['', `  ${chalk.bold('Read:')} ${describeHint(hint)}`] : [])].join('\n')
}

/** `chapters/03-http-parse/README.md#malformed-requests` as `"Malformed requests" in chapters/03-http-parse/README.md`. */
export function describeHint(hint: string): string {
  const [file, id] = hint.split('#') as [string, string | undefined]
  const absolute = path.join(repoRoot, file)
  const heading = id && existsSync(absolute) ? readHeadings(absolute).find((h) => h.id === id) : undefined
  const book = `http://127.0.0.1:8888/${file.replace(/README\.md$/, 'index.html').replace(/^index\.html$/, 'introduction.html')}${id ? `#${id}` : ''}`
  return `${heading ? `"${heading.text}" in ` : ''}${file}${chalk.dim(`  (in the book, npm run book: ${book})`)}`
}

export function formatSummary(results: ChapterResult[], onlyOne: boolean): string {
  if (onlyOne) {
    const [{ chapter, result }] = results as [ChapterResult]
    const name = chapter.number === undefined ? 'final/' : `Chapter ${chapter.number}`
    const total = result.passed + result.failed
    if (result.crashed) return `${name} could not be checked: ${result.crashed.split('\n')[0]}.`
    return passes(result) ? `${name} passes: ${total} of ${total} tests.` : `${name} does not pass yet: ${result.failed} of ${total} tests fail.`
  }
  const numbered = results.filter(({ chapter }) => chapter.number !== undefined)
  const final = results.find(({ chapter }) => chapter.number === undefined)
  const firstFailing = results.findIndex(({ result }) => !passes(result))
  if (firstFailing === -1) return `All ${numbered.length} chapters pass${final ? ', and final/ too' : ''}.`
  const passedBefore = results.slice(0, firstFailing).map(({ chapter }) => chapter.number!)
  const beyond = results.slice(firstFailing + 1).filter(({ result }) => passes(result)).map(({ chapter }) => chapterLabel(chapter))
  const also = beyond.length > 0 ? ` Beyond it, these pass too: ${beyond.join(', ')}.` : ''
  const at = results[firstFailing]!.chapter
  if (at.number === undefined) return `Chapters ${range(passedBefore)} pass; final/ does not yet.`
  const before = passedBefore.length === 0 ? 'no chapter passes yet' : passedBefore.length === 1 ? `chapter ${passedBefore[0]} passes` : `chapters ${range(passedBefore)} pass`
  return `You are at chapter ${at.number} of ${numbered.length}: ${before}.${also}`
}

export function passes(result: SuiteResult): boolean {
  return result.failed === 0 && result.crashed === undefined
}

export function chapterLabel(chapter: Chapter): string {
  return chapter.number === undefined ? 'final' : String(chapter.number).padStart(2, '0')
}

function range(numbers: number[]): string {
  return numbers.length === 1 ? String(numbers[0]) : `${numbers[0]}–${numbers.at(-1)}`
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`
}
