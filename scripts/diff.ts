// `npm run diff 3`: what chapter 3 changed over chapter 2, a file summary and then the patch.
// `npm run diff 2 4`, `npm run diff 7 final`: any two. Coloured on a terminal, plain when piped.
// Extra git-diff options pass through: `npm run diff 3 -- --word-diff`.
//
// Each folder is snapshotted as a git tree in a throwaway repository (the files on disk, minus
// what .gitignore ignores), so the two sides pair up by their path inside the chapter:
// `git diff --no-index` would show `chapters/{02-stream-handler => 03-http-parse}/src/main.ts`.

import os from 'node:os'
import { $, chalk, fs, path } from 'zx'
import { capitalise, describeChapter, findChapter, listChapters, type Chapter } from './chapters.ts'
import { repoRoot } from './kit/paths.ts'
import { exitQuietlyOnClosedPipe, fail } from './lib/cli.ts'

const IGNORED = ['node_modules/', 'screenshots/', '.DS_Store', '*.log'] // on top of .gitignore
const PROSE = ['README.md'] // in the summary, not in the patch: each chapter's explainer is new prose

exitQuietlyOnClosedPipe()

const args = process.argv.slice(2)
const names = args.filter((arg) => !arg.startsWith('-'))
const gitOptions = args.filter((arg) => arg.startsWith('-'))
const colour = process.stdout.isTTY ? !process.env.NO_COLOR : Boolean(process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0')
chalk.level = colour ? Math.max(chalk.level, 1) as typeof chalk.level : 0

if (names.length === 0 || names.length > 2) {
  fail('Usage: npm run diff N (chapter N over the one before it), or npm run diff N M (chapter M over chapter N). N may be "final".', 2)
}
const [from, to] = names.length === 1 ? [undefined, resolve(names[0]!)] : [resolve(names[0]!), resolve(names[1]!)]
const chapters = listChapters()
const before = from ?? chapters[chapters.findIndex((chapter) => chapter.dir === to.dir) - 1]

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'workbook-diff-'))
process.on('exit', () => fs.rmSync(workspace, { recursive: true, force: true }))
const git = await openSnapshotRepository(workspace)
if (!before) {
  await listFiles(git, to)
} else {
  console.log(chalk.bold(`${capitalise(describeChapter(to))} over ${describeChapter(before)}:`))
  if (before.dir === to.dir) console.log('(the same folder: nothing to compare)')
  else await showDiff(git, before, to)
}

type Git = (args: string[]) => Promise<string>

/** A repository in `workspace` whose work tree is this one: it only reads the files. */
async function openSnapshotRepository(workspace: string): Promise<Git> {
  const gitDir = path.join(workspace, 'repo.git')
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_DIR: gitDir, GIT_WORK_TREE: repoRoot, GIT_INDEX_FILE: path.join(workspace, 'index') }
  delete env.GIT_OBJECT_DIRECTORY
  delete env.GIT_ALTERNATE_OBJECT_DIRECTORIES
  const git: Git = async (gitArgs) => {
    const result = await $({ cwd: repoRoot, env, quiet: true, nothrow: true, stdio: ['ignore', 'pipe', 'pipe'] })`git -c core.quotepath=false --no-pager ${gitArgs}`
    if (result.exitCode !== 0) {
      const missing = result.exitCode === 127 || /not found/.test(result.stderr)
      fail(missing ? '"npm run diff" needs git, and git was not found: install it from https://git-scm.com' : `git ${gitArgs[0]} failed: ${result.stderr.trim()}`, 1)
    }
    return result.stdout
  }
  await $({ quiet: true })`git init --quiet --bare ${gitDir}`
  await fs.outputFile(path.join(gitDir, 'info', 'exclude'), IGNORED.join('\n') + '\n')
  return git
}

/** The folder's files as a tree, paths relative to the folder. */
async function snapshot(git: Git, chapter: Chapter): Promise<string> {
  await fs.rm(path.join(workspace, 'index'), { force: true })
  await git(['add', '--all', '--', chapter.dir])
  return (await git(['write-tree', `--prefix=${chapter.dir}/`])).trim()
}

async function showDiff(git: Git, before: Chapter, after: Chapter): Promise<void> {
  const [treeBefore, treeAfter] = [await snapshot(git, before), await snapshot(git, after)]
  const colourFlag = colour ? '--color=always' : '--color=never'
  const width = process.stdout.columns ?? 80
  const stat = await git(['diff', '--no-ext-diff', colourFlag, `--stat=${width}`, '--summary', ...gitOptions, treeBefore, treeAfter])
  if (stat.trim() === '') {
    console.log('(no differences)')
    return
  }
  const prefixes = [`--src-prefix=${before.dir}/`, `--dst-prefix=${after.dir}/`]
  const notProse = ['--', ...PROSE.map((name) => `:(top,exclude)${name}`)]
  const patch = await git(['diff', '--no-ext-diff', colourFlag, ...prefixes, ...gitOptions, treeBefore, treeAfter, ...notProse])
  const prose = PROSE.filter((name) => stat.includes(` ${name} `)).map((name) => `${after.dir}/${name}`)
  const note = prose.length > 0 ? chalk.dim(`(${prose.join(', ')}: the explainer, rewritten for each chapter: read it whole rather than as a diff)\n`) : ''
  process.stdout.write(`${stat}\n${note}${patch}`)
}

async function listFiles(git: Git, chapter: Chapter): Promise<void> {
  await fs.rm(path.join(workspace, 'index'), { force: true })
  const emptyTree = (await git(['write-tree'])).trim()
  const tree = await snapshot(git, chapter)
  const files = (await git(['diff', '--numstat', emptyTree, tree]))
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'))
    .map(([added, , name]) => ({ name: name!, size: added === '-' ? 'binary' : `${added} lines` }))
  console.log(chalk.bold(`${capitalise(describeChapter(chapter))} is the first chapter: there is nothing before it to compare with. Its files:`))
  const width = Math.max(0, ...files.map((file) => file.name.length)) + 2
  for (const file of files) console.log(`  ${file.name.padEnd(width)}${chalk.dim(file.size)}`)
  const next = listChapters()[listChapters().findIndex((c) => c.dir === chapter.dir) + 1]
  if (next) console.log(`\nSee what ${describeChapter(next)} changes: npm run diff ${next.number ?? 'final'}`)
}

function resolve(name: string): Chapter {
  return findChapter(name) ?? fail(`Unknown chapter "${name}". Run "npm run chapter" to list them.`, 2)
}
