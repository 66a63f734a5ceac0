// `npm run begin 3`: start (or move on to) chapter 3 in a folder of your own, my-server/.
//   The first time, my-server/ is made from chapter 2's code (chapter 1: a starter that only listens).
//   Later, `npm run begin 4` keeps your code and records the new chapter; it never overwrites.
//   --fresh            start again from our code; what was there is kept as my-server.backup-<time>/
//   --command 'CMD'    your server is in another language: CMD starts it, from inside the folder,
//                      with {port} (and {root}, {users} from chapters 5 and 6) filled in
//   --folder DIR       another folder than my-server/

import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { chalk } from 'zx'
import { capitalise, describeChapter, findChapter, listChapters, type Chapter } from './chapters.ts'
import { LEARNER_DIR, readLearnerFolder, showPath, writeLearnerConfig, type LearnerConfig } from './kit/learner.ts'
import { repoRoot } from './kit/paths.ts'
import { exitQuietlyOnClosedPipe, fail, readArgs } from './lib/cli.ts'

exitQuietlyOnClosedPipe()

const USAGE = "npm run begin N [-- --fresh] [-- --command 'python3 server.py --port {port}'] [-- --folder DIR]"
const STARTER = path.join(repoRoot, 'scripts', 'begin', 'starter')
const NOT_COPIED = new Set(['README.md', 'test', 'node_modules']) // the explainer and our tests stay ours

const { values, positionals } = readArgs({ fresh: { type: 'boolean' }, command: { type: 'string' }, folder: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, USAGE)
if (values.help || positionals.length !== 1) {
  console.log(`Usage: ${USAGE}\n\nThe chapters:`)
  for (const c of listChapters().filter((c) => c.number !== undefined)) console.log(`  ${String(c.number).padStart(2, '0')}  ${c.title}`)
  process.exit(values.help ? 0 : 2)
}
const chapter = findChapter(positionals[0]!)
if (!chapter || chapter.number === undefined) fail(`Unknown chapter "${positionals[0]}": use a chapter number, 1 to ${listChapters().filter((c) => c.number !== undefined).length}.\nUsage: ${USAGE}`, 2)
if (values.command !== undefined && !values.command.includes('{port}') && !/\bPORT\b/.test(values.command)) {
  fail(`The command must say where to listen: put {port} in it (e.g. --command 'python3 server.py --port {port}'), or read the PORT variable.`, 2)
}

const folder = path.resolve(process.cwd(), values.folder ?? path.join(repoRoot, LEARNER_DIR))
const shown = showPath(folder)
const previous = listChapters().filter((c) => c.number !== undefined && c.number < chapter.number!).at(-1)
let before: LearnerConfig | undefined
try {
  before = readLearnerFolder(folder)
} catch (error) {
  if (!values.fresh) fail(`${(error as Error).message}\nOr start over with: npm run begin ${chapter.number} -- --fresh`, 1)
}

if (values.fresh && existsSync(folder)) {
  const backup = `${folder}.backup-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`
  renameSync(folder, backup)
  console.log(`Kept your previous work as ${showPath(backup)}/`)
}

const config: LearnerConfig = { chapter: chapter.number, ...((values.command ?? before?.command) ? { command: (values.command ?? before?.command)! } : {}) }
if (existsSync(folder)) {
  writeLearnerConfig(folder, config)
  console.log(chalk.bold(`${capitalise(describeChapter(chapter))}: ${chapter.title}`))
  if (!before) console.log(`Recorded ${shown}/ (it had no workbook.json) as chapter ${chapter.number}. Your code is as you left it.`)
  else if (before.chapter !== chapter.number) console.log(`Moved ${shown}/ on from chapter ${before.chapter} to chapter ${chapter.number}. Your code is as you left it.`)
  else console.log(`${shown}/ stays at chapter ${chapter.number}${values.command ? ', with your command recorded' : ''}. Your code is as you left it.`)
  if (!config.command) suggestNewFiles(chapter)
} else if (config.command) {
  mkdirSync(folder, { recursive: true })
  writeLearnerConfig(folder, config)
  console.log(chalk.bold(`${capitalise(describeChapter(chapter))}: ${chapter.title}`))
  console.log(`Made ${shown}/ for your server in another language. Put your code there.`)
} else {
  const source = previous ? path.join(repoRoot, previous.dir) : STARTER
  copySnapshot(source, folder)
  // ES modules wherever the folder goes (a submission graded outside this repository included).
  writeFileSync(path.join(folder, 'package.json'), `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`)
  writeLearnerConfig(folder, config)
  console.log(chalk.bold(`${capitalise(describeChapter(chapter))}: ${chapter.title}`))
  console.log(`Made ${shown}/ from ${previous ? `chapter ${previous.number}'s code (${previous.dir})` : 'a starter that listens and does nothing yet'}.`)
}

const runs = config.command ? `${config.command}   (run from inside ${shown}/)` : `node --import tsx ${shown}/src/main.ts --port {port}`
console.log(`
  Read:      ${chapter.dir}/README.md   (or as a web page: npm run book)
  Your code: ${shown}/${config.command ? '' : 'src/main.ts and the files beside it'}
  It runs:   ${runs}
  Try it:    npm run chapter mine
  Check it:  npm run check             chapter ${chapter.number}'s tests and the earlier ones, the first failure in full
             npm run check -- --watch  again on every save
  Compare:   npm run diff ${chapter.number}              what our chapter ${chapter.number} changed over chapter ${previous?.number ?? 0}`)

/** Our chapter's files, minus its explainer and tests, into a new folder. */
function copySnapshot(source: string, target: string): void {
  mkdirSync(target, { recursive: true })
  for (const entry of readdirSync(source)) {
    if (!NOT_COPIED.has(entry)) cpSync(path.join(source, entry), path.join(target, entry), { recursive: true })
  }
}

/** Files this chapter's code has beside src/ (a web page, a users file) that the folder lacks: say how to copy them. */
function suggestNewFiles(chapter: Chapter): void {
  const ours = path.join(repoRoot, chapter.dir)
  const missing = readdirSync(ours).filter((entry) => !NOT_COPIED.has(entry) && entry !== 'src' && !existsSync(path.join(folder, entry)))
  if (missing.length === 0) return
  console.log(`\nChapter ${chapter.number}'s code also has ${missing.join(', ')}, which ${shown}/ does not. To take ours:`)
  for (const entry of missing) console.log(`  cp -r ${path.join(chapter.dir, entry)} ${shown}/`)
}
