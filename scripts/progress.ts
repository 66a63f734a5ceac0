// `npm run progress`: runs every chapter's suite, one after another, against the reference code
// (or against your own server when WORKBOOK_SERVER is set), and shows where you stand.
// `npm run progress -- --chapter 3` runs just one (3, 03, 03-http-parse or final).

import { existsSync } from 'node:fs'
import path from 'node:path'
import { chalk } from 'zx'
import { findChapter, listChapters, type Chapter } from './chapters.ts'
import { repoRoot } from './kit/paths.ts'
import { otherServer } from './kit/server-under-test.ts'
import { exitQuietlyOnClosedPipe, fail, readArgs } from './lib/cli.ts'
import { chapterLabel, formatFirstFailure, formatHeader, formatRowEnd, formatRowStart, formatSummary, measureColumns, passes, type ChapterResult } from './progress/report.ts'
import { runSuite } from './lib/run-suite.ts'

exitQuietlyOnClosedPipe()

const CHAPTER_TIMEOUT_MS = 300_000 // 5 minutes: chapter 5 streams 200 MiB and chapter 7 waits on shutdowns

const { values, positionals } = readArgs({ chapter: { type: 'string' } }, 'npm run progress [-- --chapter N]')
const chosen = readChosenChapter(values.chapter ?? positionals[0]) // `npm run progress 3` too
const chapters = chosen ? [chosen] : listChapters()
if (chapters.length === 0) fail('There are no chapters to run yet.', 2)

const learner = otherServer
console.log(learner ? `Checking ${learner}` : 'Checking the reference code (npm run begin N makes a folder of your own; WORKBOOK_SERVER checks any command).')
if (learner && !chosen) console.log(chalk.dim('A chapter your server does not do yet is slow to fail: each of its tests waits up to 3 s for an answer. --chapter N checks one.'))
console.log()

const titles = chapters.map(titleOf)
const columns = measureColumns(titles)
console.log(formatHeader(columns))
const results: ChapterResult[] = []
for (const [i, chapter] of chapters.entries()) {
  process.stdout.write(formatRowStart(chapter, titles[i]!, columns))
  const result = await runSuite(chapter.dir, { timeoutMs: CHAPTER_TIMEOUT_MS, env: asChapter(chapter) })
  const row: ChapterResult = { chapter, title: titles[i]!, result }
  results.push(row)
  console.log(formatRowEnd(row))
}

const firstFailing = results.find(({ result }) => !passes(result))
if (firstFailing) console.log(`\n${formatFirstFailure(firstFailing)}`)
console.log(`\n${chalk.bold(formatSummary(results, chosen !== undefined))}`)
if (firstFailing) console.log(chalk.dim(`Run one chapter's suite in full: npm test -- ${firstFailing.chapter.dir}`))
process.exit(firstFailing ? 1 : 0)

/** Each suite checks a server of yours as if it stood at that suite's chapter: where do you stand? */
function asChapter(chapter: Chapter): Record<string, string> {
  return learner ? { WORKBOOK_SERVER_CHAPTER: chapter.number === undefined ? 'final' : String(chapter.number) } : {}
}

function readChosenChapter(wanted: string | undefined): Chapter | undefined {
  if (wanted === undefined) return undefined
  const chapter = findChapter(wanted)
  if (!chapter) fail(`Unknown chapter "${wanted}". The chapters: ${listChapters().map(chapterLabel).join(', ')}.`, 2)
  return chapter
}

/** The README's first heading, or the folder's name while the README is not written. */
function titleOf(chapter: Chapter): string {
  return existsSync(path.join(repoRoot, chapter.dir, 'README.md')) ? chapter.title : path.basename(chapter.dir)
}
