// The learner's own server: a folder (my-server/ by default) made by `npm run begin`, with a
// workbook.json that records the chapter being worked on and, for a server in another language,
// the command that starts it. The suites test this folder whenever it exists.

import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { repoRoot } from './paths.ts'

export const LEARNER_DIR = 'my-server'
export const CONFIG_FILE = 'workbook.json'

export interface LearnerConfig {
  /** The chapter being worked on: 3 after `npm run begin 3`. */
  chapter: number
  /** A command in any language, run from inside the folder, with {port}, {root} and {users}. Absent: `src/main.ts` runs with tsx, like a chapter. */
  command?: string
}

export interface LearnerFolder extends LearnerConfig {
  /** Absolute path of the folder. */
  dir: string
  /** The folder as a learner would type it: `my-server` when it is inside the repository. */
  shown: string
}

/** The folder the suites look for: $WORKBOOK_FOLDER (a teacher grading a submission), else my-server/. */
export function learnerFolderPath(): string {
  return path.resolve(repoRoot, process.env.WORKBOOK_FOLDER?.trim() || LEARNER_DIR)
}

/** The learner's folder and its config, or undefined when there is none. A broken config throws, saying what to fix. */
export function readLearnerFolder(dir = learnerFolderPath()): LearnerFolder | undefined {
  const file = path.join(dir, CONFIG_FILE)
  if (!existsSync(file)) return undefined
  let config: Partial<LearnerConfig>
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as Partial<LearnerConfig>
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}). Fix it, or run npm run begin N again.`)
  }
  if (!Number.isInteger(config.chapter) || config.chapter! < 1) throw new Error(`${file} needs "chapter": a chapter number such as 3. Run npm run begin N to set it.`)
  if (config.command !== undefined && (typeof config.command !== 'string' || config.command.trim() === '')) throw new Error(`${file}: "command" must be a non-empty string when present.`)
  return { chapter: config.chapter!, ...(config.command ? { command: config.command.trim() } : {}), dir, shown: showPath(dir) }
}

export function writeLearnerConfig(dir: string, config: LearnerConfig): void {
  writeFileSync(path.join(dir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`)
}

/** A path relative to the repository when it is inside it, absolute otherwise. */
export function showPath(dir: string): string {
  const relative = path.relative(repoRoot, dir)
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : dir
}
