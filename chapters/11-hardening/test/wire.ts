// What chapter 11's suites share: the robustness checks of the kit, against this chapter's server.

import { serveReference, type Served } from '../../../scripts/kit/robustness.ts'

export * from '../../../scripts/kit/robustness.ts'

/** Start the server on a fresh fixture site before the file's tests, stop it after. Limits go in `env`. */
export function serveChapter(env: Record<string, string> = {}): Served {
  return serveReference('chapters/11-hardening', env)
}
