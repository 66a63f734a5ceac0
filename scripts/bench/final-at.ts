// `npm run bench -- --against COMMIT`: final/ as it was at another commit, bundled as `npm start`
// bundles today's, and measured in the same run, in turn with today's, on the same files. Speed
// must not go backwards; a ratio from another day or another CPU cannot show that, this can.

import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { bundleFinal } from '../lib/bundle-final.ts'
import { repoRoot } from './servers-under-test.ts'

/** final/src as it was at a commit, unpacked from git into a temporary folder, and the commit's short hash. */
export function finalSrcAt(commit: string): { short: string; src: string } {
  let short: string
  try {
    short = execFileSync('git', ['rev-parse', '--short', `${commit}^{commit}`], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    throw new Error(`--against ${commit}: no such commit in this repository (git log --oneline -- final/src lists final/'s)`)
  }
  const folder = mkdtempSync(path.join(os.tmpdir(), `workbook-final-${short}-`))
  const tar = execFileSync('git', ['archive', '--format=tar', short, 'final/src'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 })
  execFileSync('tar', ['-x', '-C', folder], { input: tar })
  return { short, src: path.join(folder, 'final', 'src') }
}

/** The commit's short hash and the folder that holds its final/ bundle (main.js). */
export async function buildFinalAt(commit: string): Promise<{ short: string; dist: string }> {
  const { short, src } = finalSrcAt(commit)
  const dist = path.join(src, '..', '..', 'dist')
  await bundleFinal(src, dist)
  return { short, dist }
}
