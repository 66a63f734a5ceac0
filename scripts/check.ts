// `npm run check`: the learner's view. Runs the suite of the chapter you are at and of every earlier
// HTTP chapter against your server, prints one line per chapter, then the first failure in full
// (what was sent, what was expected, what came back, the rule, and the section that teaches it).
//   -- --watch                 again on every save in your folder
//   -- --chapter N             check as chapter N (default: the chapter `npm run begin` recorded)
//   -- --report junit|json     also write a report for a teacher (--out FILE; default results.xml/.json)
//   -- --folder DIR            a folder other than my-server/ (a student's submission)
// Your server is your folder (npm run begin), or WORKBOOK_SERVER='any command {port}' with --chapter;
// WORKBOOK_SERVER=reference checks our own chapter N instead.

import { watch, writeFileSync, type FSWatcher } from 'node:fs'
import path from 'node:path'
import { chalk } from 'zx'
import { findChapter, listChapters, type Chapter } from './chapters.ts'
import { chapterPosition, suiteNotForServer } from './kit/changed-later.ts'
import { readLearnerFolder, type LearnerFolder } from './kit/learner.ts'
import { exitQuietlyOnClosedPipe, fail, readArgs } from './lib/cli.ts'
import { runSuite } from './lib/run-suite.ts'
import { chapterLabel, formatFirstFailure, formatHeader, formatRowEnd, formatRowStart, measureColumns, passes } from './progress/report.ts'
import { toJson, toJunit, type CheckedChapter } from './check/reports.ts'

exitQuietlyOnClosedPipe()

const USAGE = 'npm run check [-- --watch] [-- --chapter N] [-- --report junit|json --out FILE] [-- --folder DIR]'
const CHAPTER_TIMEOUT_MS = 300_000 // 5 minutes: chapter 5 streams 200 MiB and chapter 7 waits on shutdowns
const DEBOUNCE_MS = 300 // an editor's save is often several writes

const { values } = readArgs(
  { chapter: { type: 'string' }, watch: { type: 'boolean' }, report: { type: 'string' }, out: { type: 'string' }, folder: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  USAGE,
)
if (values.help) {
  console.log(`Usage: ${USAGE}`)
  process.exit(0)
}
if (values.report !== undefined && values.report !== 'junit' && values.report !== 'json') fail(`--report takes junit or json, not "${values.report}".\nUsage: ${USAGE}`, 2)
if (values.out !== undefined && values.report === undefined) fail(`--out needs --report junit or --report json.\nUsage: ${USAGE}`, 2)

const command = process.env.WORKBOOK_SERVER?.trim() || undefined
if (command && values.folder) fail('Check either a folder (--folder) or WORKBOOK_SERVER, not both.', 2)
if (values.folder) process.env.WORKBOOK_FOLDER = path.resolve(values.folder)
const reportFile = values.report ? path.resolve(values.out ?? (values.report === 'junit' ? 'results.xml' : 'results.json')) : undefined

if (values.watch) await watchAndCheck()
else process.exit((await checkOnce()) ? 0 : 1)

interface Target {
  /** For the first line: `your server in my-server/`. */
  server: string
  /** How it starts. */
  runs: string
  chapter: Chapter
  folder: LearnerFolder | undefined
  env: Record<string, string>
}

/** What to check, read afresh on each run: `npm run begin` may have moved the folder on meanwhile. */
function readTarget(): Target {
  let folder: LearnerFolder | undefined
  if (!command) {
    try {
      folder = readLearnerFolder()
    } catch (error) {
      fail((error as Error).message, 1)
    }
    if (!folder) {
      const where = values.folder ? `${values.folder} has no workbook.json (a student's folder is made by npm run begin)` : 'You have no server of your own yet'
      fail(`${where}.\nStart one:      npm run begin 1     (or the chapter you are at)\nOr any command: WORKBOOK_SERVER='python3 server.py --port {port}' npm run check -- --chapter 3`, 1)
    }
  }
  const wanted = values.chapter ?? (folder ? String(folder.chapter) : undefined)
  if (wanted === undefined) fail(`Say which chapter to check your command as: WORKBOOK_SERVER='${command}' npm run check -- --chapter N`, 2)
  const chapter = findChapter(wanted)
  if (!chapter) fail(`Unknown chapter "${wanted}". The chapters: ${listChapters().map(chapterLabel).join(', ')}.`, 2)
  const position = chapter.number === undefined ? 'final' : String(chapter.number)
  if (command === 'reference') {
    return { server: `our ${chapter.dir}`, runs: `node --import tsx ${chapter.dir}/src/main.ts`, chapter, folder, env: { WORKBOOK_SERVER: '', WORKBOOK_REFERENCE: chapter.dir, WORKBOOK_SERVER_CHAPTER: position } }
  }
  if (command) return { server: 'WORKBOOK_SERVER', runs: command, chapter, folder, env: { WORKBOOK_SERVER_CHAPTER: position } }
  const runs = folder!.command ? `${folder!.command}   (from inside ${folder!.shown}/)` : `node --import tsx ${folder!.shown}/src/main.ts --port {port}`
  return { server: `your server in ${folder!.shown}/`, runs, chapter, folder, env: { WORKBOOK_FOLDER: folder!.dir, WORKBOOK_SERVER_CHAPTER: position } }
}

/** The chapter's suite and every earlier HTTP chapter's: a lesson once learned stays learned. */
function suitesFor(chapter: Chapter): Chapter[] {
  return listChapters().filter((c) => !suiteNotForServer(c.dir, chapterPosition(chapter.dir)))
}

/** One full check: the table, the first failure, the verdict. True when everything passes. */
async function checkOnce(signal?: AbortSignal): Promise<boolean> {
  const target = readTarget()
  const suites = suitesFor(target.chapter)
  const name = target.chapter.number === undefined ? 'final/' : `chapter ${target.chapter.number}`
  console.log(chalk.bold(`Checking ${target.server} as ${name}: ${target.chapter.title}`))
  console.log(chalk.dim(`  it runs: ${target.runs}`))
  if (suites.length > 1) console.log(chalk.dim(`  with the tests of ${suites.map((c) => chapterLabel(c)).join(', ')}: each chapter keeps the lessons before it`))
  console.log()
  const columns = measureColumns(suites.map((c) => c.title))
  console.log(formatHeader(columns))
  const checked: CheckedChapter[] = []
  for (const chapter of suites) {
    process.stdout.write(formatRowStart(chapter, chapter.title, columns))
    const result = await runSuite(chapter.dir, { timeoutMs: CHAPTER_TIMEOUT_MS, env: target.env, ...(signal ? { signal } : {}) })
    if (signal?.aborted) return false
    checked.push({ chapter, result })
    console.log(formatRowEnd({ chapter, title: chapter.title, result }))
  }
  if (reportFile) {
    const summary = { server: target.server === 'WORKBOOK_SERVER' ? `WORKBOOK_SERVER=${command}` : target.server, chapter: target.chapter.number ?? ('final' as const), chapters: checked, finishedAt: new Date() }
    writeFileSync(reportFile, values.report === 'junit' ? toJunit(summary) : toJson(summary))
  }
  const firstFailing = checked.find(({ result }) => !passes(result))
  if (firstFailing) console.log(`\n${formatFirstFailure({ ...firstFailing, title: firstFailing.chapter.title })}`)
  console.log()
  if (!firstFailing) console.log(chalk.green.bold(doneLine(target)))
  else {
    const failed = checked.filter(({ result }) => !passes(result)).map(({ chapter }) => chapterLabel(chapter))
    console.log(chalk.bold(`Not yet: ${failed.length === 1 ? `chapter ${failed[0]} has` : `chapters ${failed.join(', ')} have`} failing tests. Fix the first failure above, then check again${values.watch ? ' (on your next save)' : ': npm run check (or npm run check -- --watch)'}.`))
    console.log(chalk.dim(`All of one chapter's failures: npm test -- ${firstFailing.chapter.dir}`))
  }
  if (reportFile) console.log(chalk.dim(`Wrote the ${values.report} report: ${reportFile}`))
  return !firstFailing
}

function doneLine(target: Target): string {
  const chapters = listChapters()
  const next = chapters[chapters.findIndex((c) => c.dir === target.chapter.dir) + 1]
  const name = target.chapter.number === undefined ? 'final/' : `Chapter ${target.chapter.number}`
  if (!next) return `${name} done: every test passes.`
  if (next.number === undefined) return `${name} done: that was the last chapter. See where the server goes from here: final/README.md`
  return target.folder ? `${name} done: npm run begin ${next.number}${values.folder ? ` -- --folder ${values.folder}` : ''}` : `${name} done: next is chapter ${next.number} (npm run check -- --chapter ${next.number})`
}

/** Check, then again after every save in the folder (debounced; a save during a run restarts it). */
async function watchAndCheck(): Promise<never> {
  const target = readTarget()
  if (!target.folder) fail('--watch watches your folder: make one with npm run begin N (use --command for a server in another language).', 2)
  let running: AbortController | undefined
  let timer: NodeJS.Timeout | undefined
  const run = async () => {
    running?.abort()
    const controller = new AbortController()
    running = controller
    process.stdout.write('\x1b[2J\x1b[3J\x1b[H') // clear the screen and its scrollback
    await checkOnce(controller.signal)
    if (!controller.signal.aborted) console.log(chalk.dim(`\nWatching ${target.folder!.shown}/ for changes. Ctrl-C stops.`))
  }
  const changed = () => {
    clearTimeout(timer)
    timer = setTimeout(() => void run(), DEBOUNCE_MS)
  }
  const startWatching = () => {
    let watcher: FSWatcher
    try {
      watcher = watch(target.folder!.dir, { recursive: true }, (_event, file) => {
        if (file && (/(^|\/)(node_modules|\.git)(\/|$)/.test(file) || path.resolve(target.folder!.dir, file) === reportFile)) return
        changed()
      })
    } catch {
      setTimeout(startWatching, DEBOUNCE_MS) // the folder is gone for now: the next check says so, and exits
      return
    }
    // On Linux, Node's recursive watch fails when a folder goes while it scans it (a `git checkout`,
    // an rm -r; nodejs/node#63686): watch the folder afresh and check again, instead of crashing.
    watcher.on('error', () => {
      watcher.close()
      setTimeout(startWatching, DEBOUNCE_MS)
      changed()
    })
  }
  startWatching()
  await run()
  return new Promise<never>(() => {})
}
