// Runs in every test file (vitest's setupFiles). When the server under test stands at a chapter
// (a learner's folder, or another chapter's code), a test is skipped, with its reason, when its
// suite is not that chapter's to pass (a later chapter; an echo chapter for an HTTP server), or
// when CHANGED_LATER lists it as changed on purpose at or before that chapter.

import path from 'node:path'
import { beforeEach } from 'vitest'
import { changedLater, serverChapter, suiteNotForServer, suiteOf } from './changed-later.ts'
import { repoRoot } from './paths.ts'

const position = serverChapter()

beforeEach((context) => {
  if (position === undefined) return
  const suite = suiteOf(path.relative(repoRoot, context.task.file.filepath))
  const notForServer = suiteNotForServer(suite, position)
  if (notForServer) context.skip(notForServer)
  const names: string[] = []
  for (let task: { name: string; suite?: unknown } | undefined = context.task; task; task = task.suite as typeof task) names.unshift(task.name)
  const entry = changedLater(suite, names.join(' > '), position)
  if (entry) context.skip(`changed on purpose in ${entry.from === 'final' ? 'final/' : `chapter ${entry.from}`}: ${entry.reason}`)
})
