// final/, black-box: SIGTERM closes idle kept-alive connections at once, lets a request in flight
// finish, and exits 0.

import { describe, expect, it } from 'vitest'
import { RawClient, createSite, expectClosed, hint, serverHasRead, startServer } from '../../scripts/kit/index.ts'

describe('graceful shutdown with keep-alive', hint('final/README.md#shutdown-with-idle-connections'), () => {
  it('idle connections close, the request in flight is answered, exit code 0', async () => {
    const site = createSite()
    const server = await startServer({ reference: 'final', root: site.root, args: ['--quiet'], env: { KEEP_ALIVE_TIMEOUT_MS: '60000' } })
    try {
      const idle = await RawClient.connect(server.port)
      await idle.send('GET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n')
      await idle.readResponse() // now idle, kept alive for up to a minute
      const busy = await RawClient.connect(server.port)
      await busy.send('GET /notes.txt HTTP/1.1\r\nHo')
      await serverHasRead(server.port, 'GET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n')
      const exited = server.stop('SIGTERM')
      await expectClosed(idle, 'At shutdown a connection that waits idle for its next request is closed at once.')
      await busy.send('st: x\r\n\r\n')
      const response = await busy.readResponse()
      expect(response.status, 'The request in flight is answered').toBe(200)
      expect(response.headers.get('connection'), 'and told that the connection closes').toEqual(['close'])
      expect(await exited, server.output()).toEqual({ code: 0, signal: null })
    } finally {
      await server.stop('SIGKILL')
      site.cleanup()
    }
  })
})
