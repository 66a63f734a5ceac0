// Which code a bench run measured: the git commit, and whether the servers' sources changed while
// it ran (others edit final/ in the same checkout; a table that mixes two versions says so).

import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { repoRoot } from './servers-under-test.ts'

const SOURCE_DIRS = ['final/src', ...readdirSync(path.join(repoRoot, 'chapters')).map((c) => `chapters/${c}/src`), 'scripts/bench/servers']

/** "141b053", with "+uncommitted" when the servers' sources differ from it. */
export function describeRevision(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'final/src', 'chapters'], { cwd: repoRoot, encoding: 'utf8' }).trim()
    return dirty ? `${head}+uncommitted` : head
  } catch {
    return 'unknown (not a git checkout)'
  }
}

/** A hash of every server source file's name, size and modification time: cheap, and it moves on any edit. */
export function fingerprintSources(): string {
  const hash = createHash('sha1')
  for (const dir of SOURCE_DIRS) {
    let names: string[]
    try {
      names = readdirSync(path.join(repoRoot, dir)).sort()
    } catch {
      continue
    }
    for (const name of names) {
      const info = statSync(path.join(repoRoot, dir, name))
      hash.update(`${dir}/${name}:${info.size}:${info.mtimeMs}\n`)
    }
  }
  return hash.digest('hex')
}
