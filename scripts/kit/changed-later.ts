// Each chapter's suite also runs against every later chapter and final/, so that a lesson once
// learned stays learned. A few tests check behaviour that a later chapter changes on purpose; they
// are listed here, once, with the reason, and skipped from that chapter on (as Crafting
// Interpreters' test runner skips "test/class" until the chapter on classes).

import { readLearnerFolder } from './learner.ts'

export interface ChangedLater {
  /** The suite's folder: `chapters/03-http-parse`. */
  suite: string
  /** A test's full name (`describe > it`), or a describe block's name for all of its tests. */
  test: string
  /** The first chapter whose server answers differently on purpose; 'final' for final/. */
  from: number | 'final'
  reason: string
}

export const CHANGED_LATER: ChangedLater[] = [
  {
    suite: 'chapters/03-http-parse',
    test: 'the body, by Content-Length',
    from: 5,
    reason: 'POST /echo, which sent back the body the parser read, is gone once the server serves files; chapter 06 reads bodies again, for POST /api/login',
  },
  {
    suite: 'chapters/04-responses',
    test: 'the status line and the headers of every response > says Connection: close, and closes',
    from: 8,
    reason: 'chapter 08 keeps an HTTP/1.1 connection open for the next request unless the client asks to close (RFC 9112 §9.3): its response no longer says Connection: close, and the connection stays open',
  },
]

const FINAL = Number.POSITIVE_INFINITY
/** Chapters 1 and 2 are echo servers; from chapter 3 on every server speaks HTTP and keeps the lessons before it. */
export const FIRST_HTTP_CHAPTER = 3

/**
 * Why the suite of `suite` does not apply to a server at `position`, or undefined when it does: a
 * server answers to its own chapter's suite and to every earlier HTTP chapter's, not to the echo
 * chapters' once it speaks HTTP, and not yet to a later chapter's.
 */
export function suiteNotForServer(suite: string, position: number | undefined): string | undefined {
  const at = chapterPosition(suite)
  if (position === undefined || at === undefined || at === position) return undefined
  const where = position === FINAL ? 'final/' : `chapter ${position}`
  if (at > position) return `the server is at ${where}; chapter ${at === FINAL ? 'final/' : at} comes later (npm run begin ${at === FINAL ? 'N' : at} when ${where} passes)`
  if (at < FIRST_HTTP_CHAPTER) return `chapter ${at}'s echo server has rules of its own, which the server at ${where} has left behind`
  return undefined
}

/**
 * Where the server under test stands: 7 for chapter 07's code, or a learner's folder at chapter 7;
 * undefined when a suite tests its own chapter (nothing is skipped then).
 */
export function serverChapter(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const claimed = env.WORKBOOK_SERVER_CHAPTER?.trim()
  if (claimed) return chapterPosition(claimed)
  const command = env.WORKBOOK_SERVER?.trim()
  if (command) return undefined // a command in any language, or WORKBOOK_SERVER=reference
  const reference = env.WORKBOOK_REFERENCE?.trim()
  if (reference) return chapterPosition(reference)
  return readLearnerFolder()?.chapter
}

/** `7`, `07`, `chapters/07-threads` and `final` to a position: 7, 7, 7 and after every chapter. */
export function chapterPosition(name: string): number | undefined {
  if (/(^|\/)final\/?$/.test(name)) return FINAL
  const number = /^(?:chapters\/)?(\d+)(?:-|$)/.exec(name)?.[1]
  return number === undefined ? undefined : Number(number)
}

/** The suite a test file belongs to: `chapters/03-http-parse/test/x.test.ts` to `chapters/03-http-parse`. */
export function suiteOf(file: string): string {
  return file.startsWith('final/') ? 'final' : file.split('/').slice(0, 2).join('/')
}

/** The entry that skips this test against a server at `position`, if any. */
export function changedLater(suite: string, fullName: string, position: number | undefined): ChangedLater | undefined {
  if (position === undefined) return undefined
  return CHANGED_LATER.find(
    (entry) =>
      entry.suite === suite &&
      (fullName === entry.test || fullName.startsWith(`${entry.test} > `)) &&
      (entry.from === 'final' ? FINAL : entry.from) <= position &&
      chapterPosition(suite)! < position,
  )
}
