// final/'s fuzzing over the socket uses the robustness checks of the kit, against final/.

import { serveReference, type Served } from '../../../scripts/kit/robustness.ts'

export * from '../../../scripts/kit/robustness.ts'

/** Start final/ on a fresh fixture site before the file's tests, stop it after. Limits go in `env`. */
export function serveFinal(env: Record<string, string> = {}): Served {
  return serveReference('final', env)
}
