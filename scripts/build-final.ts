// `npm start` runs this first: it bundles final/src into final/dist/ with esbuild, so the server a
// user runs is plain JavaScript on plain Node, without tsx's loader (which costs ~30 MiB of memory
// and some start-up time). The tests and the chapters run the TypeScript directly.

import { build } from 'esbuild'
import path from 'node:path'
import { repoRoot } from './kit/paths.ts'

const started = Date.now()
await build({
  entryPoints: ['main.ts', 'password-worker.ts'].map((file) => path.join(repoRoot, 'final', 'src', file)),
  outdir: path.join(repoRoot, 'final', 'dist'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  sourcemap: true, // stack traces point at final/src, not at the bundle
  logLevel: 'warning',
})
console.log(`built final/dist/ in ${Date.now() - started} ms`)
