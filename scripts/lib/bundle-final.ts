// final/'s bundle: its src/ made into plain JavaScript for plain Node by esbuild, as `npm start`
// runs it (scripts/build-final.ts), and as the bench runs another commit's final/ (--against).

import { build } from 'esbuild'
import path from 'node:path'

/** Bundles srcDir's main.ts and password-worker.ts into outDir. */
export async function bundleFinal(srcDir: string, outDir: string): Promise<void> {
  await build({
    entryPoints: ['main.ts', 'password-worker.ts'].map((file) => path.join(srcDir, file)),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    sourcemap: true, // stack traces point at final/src, not at the bundle
    logLevel: 'warning',
  })
}
