// A fixed-size pool of worker threads, after the Rust Book's ThreadPool: WorkerPool(size),
// execute(job), and Worker { id, thread }. CPU-bound jobs (a password hash) run on the workers
// so that the event loop stays free to serve everyone else.

import { Worker as Thread } from 'node:worker_threads'

export const DEFAULT_QUEUE_PER_WORKER = 64 // jobs waiting per worker before execute() refuses

/** The queue is full: answer 503 and let the client retry. */
export class PoolBusy extends Error {}

/** The worker running the job died (it threw or exited); the job is lost, the worker replaced. */
export class WorkerCrashed extends Error {}

interface Job {
  data: unknown
  resolve(result: unknown): void
  reject(error: Error): void
}

export class Worker {
  readonly id: number
  readonly thread: Thread
  job: Job | undefined

  constructor(id: number, script: URL) {
    this.id = id
    // Node 20's worker threads do not inherit tsx's loader: a .ts script starts through a shim.
    this.thread = script.pathname.endsWith('.ts')
      ? new Thread(new URL('./typescript-worker.mjs', import.meta.url), { workerData: { script: script.href } })
      : new Thread(script)
  }
}

export class WorkerPool {
  readonly size: number
  private readonly script: URL
  private readonly maxQueue: number
  private readonly workers: Worker[] = []
  private readonly queue: Job[] = []
  private readonly unfinished = new Set<Promise<unknown>>() // every job taken and not yet settled
  private closing = false

  constructor(size: number, script: URL, maxQueue = size * DEFAULT_QUEUE_PER_WORKER) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`a pool needs at least one worker, not ${size}`)
    this.size = size
    this.script = script
    this.maxQueue = maxQueue
    for (let id = 0; id < size; id++) this.workers.push(this.spawn(id))
  }

  /** Run a job on the next free worker; rejects with PoolBusy when the queue is full. */
  execute<T>(data: unknown): Promise<T> {
    if (this.closing) return Promise.reject(new PoolBusy('the pool is shutting down'))
    if (this.queue.length >= this.maxQueue) return Promise.reject(new PoolBusy(`${this.queue.length} jobs are already waiting`))
    const result = new Promise<T>((resolve, reject) => {
      this.queue.push({ data, resolve: resolve as (result: unknown) => void, reject })
      this.dispatch()
    })
    this.unfinished.add(result)
    const settled = () => this.unfinished.delete(result)
    result.then(settled, settled)
    return result
  }

  /** Jobs waiting for a worker. */
  get queued(): number {
    return this.queue.length
  }

  /** Stop taking jobs, let the running and queued ones finish, then stop the threads. */
  async shutdown(): Promise<void> {
    this.closing = true
    await Promise.allSettled(this.unfinished)
    await Promise.all(this.workers.map((worker) => worker.thread.terminate()))
  }

  private dispatch(): void {
    for (const worker of this.workers) {
      if (this.queue.length === 0) return
      if (worker.job) continue
      worker.job = this.queue.shift()!
      worker.thread.postMessage(worker.job.data)
    }
  }

  private spawn(id: number): Worker {
    const worker = new Worker(id, this.script)
    worker.thread.on('message', (result: unknown) => {
      const job = worker.job
      worker.job = undefined
      job?.resolve(result)
      this.dispatch()
    })
    worker.thread.on('error', (error) => this.replace(worker, error))
    worker.thread.on('exit', (code) => {
      if (!this.closing || worker.job) this.replace(worker, new Error(`exited with code ${code}`))
    })
    return worker
  }

  /** A worker died: fail its job, start a new thread with the same id, carry on with the queue. */
  private replace(worker: Worker, cause: Error): void {
    if (this.workers[worker.id] !== worker) return // already replaced ('error' is followed by 'exit')
    worker.job?.reject(new WorkerCrashed(`worker ${worker.id} crashed: ${cause.message}`, { cause }))
    worker.job = undefined
    void worker.thread.terminate()
    // Even while shutting down: the queued jobs still need a thread to finish on.
    this.workers[worker.id] = this.spawn(worker.id)
    this.dispatch()
  }
}
