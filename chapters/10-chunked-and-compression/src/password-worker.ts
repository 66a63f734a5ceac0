// The code a WorkerPool thread runs: check one password against its stored hash, and answer.
// scrypt is deliberately slow; here it blocks only this thread, never the event loop.

import { parentPort } from 'node:worker_threads'
import { verifyPassword } from './passwords.ts'

export interface PasswordJob {
  password: string
  stored: string
}

parentPort!.on('message', ({ password, stored }: PasswordJob) => {
  parentPort!.postMessage(verifyPassword(password, stored))
})
