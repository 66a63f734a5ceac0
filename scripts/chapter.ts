// `npm run chapter`: list the chapters. `npm run chapter 3 [-- --port 9001]`: run chapter 3's
// server on 127.0.0.1:8888 and print what to try against it. Ctrl-C stops it.

import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { chalk } from 'zx'
import { capitalise, describeChapter, findChapter, listChapters, type Chapter } from './chapters.ts'
import { LEARNER_DIR, readLearnerFolder, type LearnerFolder } from './kit/learner.ts'
import { repoRoot } from './kit/paths.ts'
import { fillCommand } from './kit/server-under-test.ts'
import { fail } from './lib/cli.ts'
import { connectHost, waitForPort, whyCannotListen } from './lib/port.ts'

const DEFAULT_HOST = '127.0.0.1'
const DEFAULT_PORT = 8888
const START_TIMEOUT_MS = 20_000 // tsx compiles on start; slow machines need a while
const MINE = 'mine' // `npm run chapter mine`: the learner's own folder

interface Request {
  chapter: string | undefined
  port: string
  host: string
  /** Every other argument, handed to the server as it came: the server is the one that knows its flags. */
  passThrough: string[]
}

const request = readRequest(process.argv.slice(2))
if (request.chapter === undefined) {
  printChapterList()
  process.exit(0)
}
const learner = request.chapter === MINE ? readMine() : undefined
const chapter = learner ? findChapter(String(learner.chapter)) : findChapter(request.chapter)
if (!chapter) fail(`Unknown chapter "${request.chapter}". Run "npm run chapter" to list them.`, 2)
const label = learner ? MINE : chapter.number === undefined ? 'final' : String(chapter.number)
const port = Number(request.port)
if (!/^\d+$/.test(request.port) || port < 1 || port > 65_535) {
  fail(`Invalid port "${request.port}": use a whole number from 1 to 65535, e.g. npm run chapter ${label} -- --port 9001`, 2)
}
const main = path.join(learner?.dir ?? path.join(repoRoot, chapter.dir), 'src', 'main.ts')
if (!learner?.command && !existsSync(main)) fail(`${learner ? `${learner.shown}/` : capitalise(describeChapter(chapter))} has no src/main.ts yet (${learner ? learner.shown : chapter.dir}).`, 1)

const busy = await whyCannotListen(request.host, port, (other) => `npm run chapter ${label} -- --port ${other}`)
if (busy) fail(busy, 1)

if (learner) console.log(chalk.bold(`Your server, at chapter ${chapter.number}: ${chapter.title}`) + chalk.dim(`  (${learner.shown}/)`))
else console.log(chalk.bold(heading(chapter)) + chalk.dim(`  (${chapter.dir})`))
console.log(`Starting it on ${request.host}:${port} ...`)
await runServer(chapter, main)

/**
 * The chapter is the first word; --port and --host are read here (to check the port is free);
 * everything else goes to the server untouched, so `npm run chapter final -- --max-body 100 --quiet`
 * needs no list of the server's flags here.
 */
function readRequest(args: string[]): Request {
  const found: Request = { chapter: undefined, port: process.env.PORT || String(DEFAULT_PORT), host: DEFAULT_HOST, passThrough: [] }
  const { tokens } = parseArgs({ args, options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: false, allowPositionals: true, tokens: true })
  const rest: { text: string; word: boolean }[] = [] // in the order typed: `--max-body 100` stays a pair
  let portGiven = false
  let hostGiven = false
  let help = false
  for (const token of tokens) {
    if (token.kind === 'option' && token.name === 'port' && token.value !== undefined) [found.port, portGiven] = [token.value, true]
    else if (token.kind === 'option' && token.name === 'host' && token.value !== undefined) [found.host, hostGiven] = [token.value, true]
    else if (token.kind === 'option' && token.name === 'help' && found.chapter === undefined) help = true // after a chapter, the server's own --help
    else if (token.kind === 'positional' && found.chapter === undefined) found.chapter = token.value
    else if (token.kind === 'positional') rest.push({ text: token.value, word: true })
    else if (token.kind === 'option') rest.push({ text: args[token.index]!, word: false })
  }
  // Without the `--`, npm keeps `--port` for itself (npm_config_port=true) and passes its value on
  // alone: `npm run chapter 3 --port 9001` arrives here as `3 9001`. Take it back.
  if (process.env.npm_lifecycle_event) {
    const npmPort = process.env.npm_config_port
    const npmHost = process.env.npm_config_host
    if (!portGiven && npmPort) found.port = npmPort === 'true' ? takeWord(rest, (e) => /^\d+$/.test(e)) ?? found.port : npmPort
    if (!hostGiven && npmHost) found.host = npmHost === 'true' ? takeWord(rest, (e) => !/^\d+$/.test(e)) ?? found.host : npmHost
  }
  found.passThrough = rest.map((arg) => arg.text)
  if (help) found.chapter = undefined
  return found
}

function takeWord(rest: { text: string; word: boolean }[], fits: (word: string) => boolean): string | undefined {
  const index = rest.findIndex((arg) => arg.word && fits(arg.text))
  return index === -1 ? undefined : rest.splice(index, 1)[0]!.text
}

function printChapterList(): void {
  const chapters = listChapters()
  if (chapters.length === 0) {
    console.log('No chapters yet.')
    return
  }
  console.log('The chapters:\n')
  const slugWidth = Math.max(...chapters.map((c) => c.slug.length)) + 2
  for (const c of chapters) {
    const number = c.number === undefined ? '  ' : String(c.number).padStart(2, '0')
    console.log(`  ${number}  ${c.slug.padEnd(slugWidth)}${c.title}`)
  }
  const example = chapters.find((c) => c.number === 3) ?? chapters[0]!
  const arg = example.number ?? 'final'
  console.log(`\nRun one:  npm run chapter ${arg}       (on ${DEFAULT_HOST}:${DEFAULT_PORT}; another port: npm run chapter ${arg} -- --port 9001)`)
  console.log(`See what it changed:  npm run diff ${arg}`)
}

async function runServer(chapter: Chapter, main: string): Promise<void> {
  const args = ['--import', 'tsx', main, '--port', String(port), '--host', request.host, ...request.passThrough]
  const child = learner?.command
    ? spawn('sh', ['-c', `exec ${fillIn(learner.command, chapter)} "$@"`, 'sh', ...request.passThrough], {
        cwd: learner.dir,
        stdio: 'inherit',
        env: { ...process.env, PORT: String(port), HOST: request.host, ROOT: documentRoot(chapter), USERS: usersFile(chapter) },
      })
    : spawn(process.execPath, args, { cwd: repoRoot, stdio: 'inherit' })
  let stopSignal: NodeJS.Signals | undefined
  let stopAt = 0

  // Ctrl-C reaches the whole process group, the server included; `kill <pid>` reaches only us.
  // So pass each stop on once, and escalate only on a second request a moment later.
  const forward = (signal: NodeJS.Signals) => {
    if (stopSignal && Date.now() - stopAt < 1_000) return
    child.kill(stopSignal ? 'SIGKILL' : signal)
    stopSignal ??= signal
    stopAt = Date.now()
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => forward(signal))
  process.on('exit', () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'))

  const exited = new Promise<number>((resolve) => {
    child.once('error', (error) => {
      console.error(`Could not start ${main}: ${error.message}`)
      resolve(1)
    })
    child.once('exit', (code, signal) => {
      if (code !== null) resolve(code)
      else resolve(signal === 'SIGINT' || signal === stopSignal ? 0 : 128 + (signalNumber(signal) ?? 0))
    })
  })

  let gone = false
  void exited.then(() => (gone = true))
  const listening = await waitForPort(connectHost(request.host), port, START_TIMEOUT_MS, () => gone)
  if (listening) printTryIt(chapter)
  process.exit(await exited)
}

/** The learner's folder, for `npm run chapter mine`; says how to make one when there is none. */
function readMine(): LearnerFolder {
  try {
    const folder = readLearnerFolder()
    if (folder) return folder
  } catch (error) {
    fail((error as Error).message, 1)
  }
  fail(`You have no ${LEARNER_DIR}/ yet. Make it with: npm run begin 1 (or the chapter you are at)`, 1)
}

/** A learner's command with {port}, {root} and {users} filled in, as the tests fill them. */
function fillIn(command: string, chapter: Chapter): string {
  return fillCommand(command, port, documentRoot(chapter), usersFile(chapter))
}

/** The learner's own resources/ when there is one, else our chapter's: something to serve. */
function documentRoot(chapter: Chapter): string {
  const mine = path.join(learner!.dir, 'resources')
  return existsSync(mine) ? mine : path.join(repoRoot, chapter.dir, 'resources')
}

function usersFile(chapter: Chapter): string {
  const mine = path.join(learner!.dir, 'users.json')
  return existsSync(mine) ? mine : path.join(repoRoot, chapter.dir, 'users.json')
}

function printTryIt(chapter: Chapter): void {
  const commands = readTryIt(chapter)
  if (commands.length > 0) {
    console.log(`\n${chalk.bold('Try it')} (from ${chapter.dir}/README.md), in another terminal:`)
    for (const command of commands) console.log(`  ${adaptCommand(command)}`)
  }
  console.log(`\nStop with Ctrl-C.`)
}

/** The lines of the first ```sh block under the README's `## Try it` heading. */
function readTryIt(chapter: Chapter): string[] {
  const readme = path.join(repoRoot, chapter.dir, 'README.md')
  if (!existsSync(readme)) return []
  const lines = readFileSync(readme, 'utf8').split(/\r?\n/)
  const start = lines.findIndex((line) => /^##\s+Try it\b/i.test(line))
  if (start === -1) return []
  const end = lines.findIndex((line, i) => i > start && /^##?\s/.test(line))
  const section = lines.slice(start + 1, end === -1 ? undefined : end)
  const open = section.findIndex((line) => /^\s*```(sh|bash|shell|console)\s*$/.test(line))
  if (open === -1) return []
  const close = section.findIndex((line, i) => i > open && /^\s*```\s*$/.test(line))
  return section.slice(open + 1, close === -1 ? undefined : close).filter((line) => line.trim() !== '')
}

function adaptCommand(command: string): string {
  let adapted = command.replace(/\b8888\b/g, String(port))
  // `npm run send` (scripts/send.ts) talks to 8888 unless told otherwise.
  if (port !== DEFAULT_PORT && !adapted.includes('--port')) adapted = adapted.replace(/^npm run send --(?= |$)/, `npm run send -- --port ${port}`)
  const loopback = ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost']
  if (!loopback.includes(request.host) && !request.host.includes(':')) adapted = adapted.replaceAll('127.0.0.1', request.host)
  return adapted
}

function heading(chapter: Chapter): string {
  return chapter.number === undefined ? chapter.title : `Chapter ${chapter.number}: ${chapter.title}`
}

function signalNumber(signal: NodeJS.Signals | null): number | undefined {
  return signal ? (os.constants.signals as Record<string, number>)[signal] : undefined
}
