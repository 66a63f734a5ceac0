// Unit tests of the reference WorkerPool (skipped when WORKBOOK_SERVER tests your own server).

import { afterEach, describe, expect, it } from 'vitest'
import { otherServer } from '../../../scripts/kit/index.ts'
import { PoolBusy, WorkerCrashed, WorkerPool } from '../src/worker-pool.ts'

const script = new URL('./test-worker.ts', import.meta.url)
let pool: WorkerPool | undefined
afterEach(async () => {
  await pool?.shutdown()
  pool = undefined
})

/** A job that blocks its worker until release() is called. */
function blocker(): { job: { op: 'wait'; buffer: SharedArrayBuffer; value: string }; release(): void } {
  const buffer = new SharedArrayBuffer(4)
  return {
    job: { op: 'wait', buffer, value: 'released' },
    release() {
      const flag = new Int32Array(buffer)
      Atomics.store(flag, 0, 1)
      Atomics.notify(flag, 0)
    },
  }
}

describe.skipIf(otherServer)('WorkerPool', () => {
  it('runs a job on a worker and returns its answer', async () => {
    pool = new WorkerPool(2, script)
    expect(await pool.execute({ op: 'echo', value: 'hi' })).toMatchObject({ value: 'hi' })
  })

  it('runs as many jobs at once as it has workers', async () => {
    pool = new WorkerPool(2, script)
    const a = blocker()
    const b = blocker()
    const first = pool.execute(a.job)
    const second = pool.execute(b.job)
    const third = pool.execute({ op: 'echo', value: 'third' })
    // Both workers are blocked: the third job waits in the queue until one is released.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(pool.queued).toBe(1)
    b.release()
    await second
    expect(await third).toMatchObject({ value: 'third' })
    a.release()
    await first
  })

  it('refuses a job with PoolBusy when the queue is full', async () => {
    pool = new WorkerPool(1, script, 1)
    const a = blocker()
    const running = pool.execute(a.job)
    const queued = pool.execute({ op: 'echo', value: 'queued' })
    await new Promise((resolve) => setTimeout(resolve, 50))
    await expect(pool.execute({ op: 'echo', value: 'one too many' })).rejects.toBeInstanceOf(PoolBusy)
    a.release()
    await running
    await queued
  })

  it('a worker that throws fails its job with WorkerCrashed and is replaced', async () => {
    pool = new WorkerPool(1, script)
    await expect(pool.execute({ op: 'throw' })).rejects.toBeInstanceOf(WorkerCrashed)
    expect(await pool.execute({ op: 'echo', value: 'still working' })).toMatchObject({ value: 'still working' })
  })

  it('a worker that exits fails its job with WorkerCrashed and is replaced', async () => {
    pool = new WorkerPool(1, script)
    await expect(pool.execute({ op: 'exit' })).rejects.toBeInstanceOf(WorkerCrashed)
    expect(await pool.execute({ op: 'echo', value: 'after exit' })).toMatchObject({ value: 'after exit' })
  })

  it('shutdown() lets queued jobs finish, then refuses new ones', async () => {
    pool = new WorkerPool(1, script)
    const jobs = [pool.execute({ op: 'echo', value: '1' }), pool.execute({ op: 'echo', value: '2' })]
    const settled: string[] = []
    jobs.forEach((job) => void job.then(() => settled.push('job')))
    const stopped = pool.shutdown().then(() => settled.push('shutdown'))
    await expect(pool.execute({ op: 'echo', value: 'late' })).rejects.toBeInstanceOf(PoolBusy)
    expect(await Promise.all(jobs)).toMatchObject([{ value: '1' }, { value: '2' }])
    await stopped
    expect(settled, 'shutdown() resolves only once the queued jobs are done').toEqual(['job', 'job', 'shutdown'])
    pool = undefined
  })
})
