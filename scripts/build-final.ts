// `npm start` runs this first: it bundles final/src into final/dist/ with esbuild, so the server a
// user runs is plain JavaScript on plain Node, without tsx's loader (which costs ~30 MiB of memory
// and some start-up time). The tests and the chapters run the TypeScript directly.

import path from 'node:path'
import { repoRoot } from './kit/paths.ts'
import { bundleFinal } from './lib/bundle-final.ts'

const started = Date.now()
await bundleFinal(path.join(repoRoot, 'final', 'src'), path.join(repoRoot, 'final', 'dist'))
console.log(`built final/dist/ in ${Date.now() - started} ms`)
