// A worker script for the WorkerPool unit tests: it echoes, throws or exits on request.

import { parentPort } from 'node:worker_threads'

parentPort!.on('message', (job: { op: 'echo' | 'throw' | 'exit' | 'wait'; value?: string; buffer?: SharedArrayBuffer }) => {
  if (job.op === 'throw') throw new Error('a bug in the job')
  if (job.op === 'exit') process.exit(3)
  // Block this thread until the test releases it, so the test controls when jobs finish.
  if (job.op === 'wait') Atomics.wait(new Int32Array(job.buffer!), 0, 0)
  parentPort!.postMessage({ value: job.value })
})
