// Runs in every test file (vitest's setupFiles): a test listed in CHANGED_LATER is skipped, with its
// reason, when the server under test is at or past the chapter that changed it on purpose.

import path from 'node:path'
import { beforeEach } from 'vitest'
import { changedLater, serverChapter, suiteOf } from './changed-later.ts'
import { repoRoot } from './paths.ts'

const position = serverChapter()

beforeEach((context) => {
  if (position === undefined) return
  const suite = suiteOf(path.relative(repoRoot, context.task.file.filepath))
  const names: string[] = []
  for (let task: { name: string; suite?: unknown } | undefined = context.task; task; task = task.suite as typeof task) names.unshift(task.name)
  const entry = changedLater(suite, names.join(' > '), position)
  if (entry) context.skip(`changed on purpose in ${entry.from === 'final' ? 'final/' : `chapter ${entry.from}`}: ${entry.reason}`)
})
