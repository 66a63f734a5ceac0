// The in-process harness that instructions.ts counts: it must measure the answer it means to (a
// 200 with the file, every time), and refuse to measure anything else.

import { setTimeout as sleep } from 'node:timers/promises'
import { expect, test } from 'vitest'
import { SimpleHTTPServer } from '../../final/src/simple-http-server.ts'
import { SimpleHTTPRequestHandler } from '../../final/src/static-handler.ts'
import { RACY_WINDOW_MS } from '../../final/src/limits.ts'
import { loadUsers } from '../../final/src/users.ts'
import { WorkerPool } from '../../final/src/worker-pool.ts'
import { SMALL_FILE, makeFixture } from './fixture.ts'
import { runKeptAlive } from './in-process.ts'

const final = { SimpleHTTPServer, SimpleHTTPRequestHandler, loadUsers, WorkerPool }

test('drives final/ over 50 fake kept-alive connections and times the 200s after the warm-up', async () => {
  const fixture = makeFixture()
  try {
    await sleep(RACY_WINDOW_MS + 100) // so that the page is cached, as in a real run
    const run = await runKeptAlive(final, { root: fixture.root, users: fixture.users, target: SMALL_FILE, requests: 3000, warmup: 500 })
    expect(run.firstResponse).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(run.firstResponse).toContain('Every chapter of the workbook serves this page.')
    expect(run.userMicros).toBeGreaterThan(0)
  } finally {
    fixture.remove()
  }
})

test('refuses to measure a request that is not answered 200', async () => {
  const fixture = makeFixture()
  try {
    await expect(runKeptAlive(final, { root: fixture.root, users: fixture.users, target: '/no-such-page.html', requests: 100, warmup: 10 })).rejects.toThrow(/was answered "HTTP\/1\.1 404 Not Found/)
  } finally {
    fixture.remove()
  }
})
