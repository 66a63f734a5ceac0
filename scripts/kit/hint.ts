// A test's hint: the section of an explainer that teaches what the test checks. `npm run check`
// prints it under a failure; scripts/hints.test.ts checks that every hint names a real heading.
//
//   describe('malformed requests get 400', hint('chapters/03-http-parse/README.md#malformed-requests'), () => { ... })

declare module 'vitest' {
  interface TaskMeta {
    /** `chapters/03-http-parse/README.md#heading-id`, relative to the repository. */
    hint?: string
  }
}

/** Test or describe options that carry a hint; a describe's hint reaches every test inside it. */
export function hint(link: string): { meta: { hint: string } } {
  return { meta: { hint: link } }
}
