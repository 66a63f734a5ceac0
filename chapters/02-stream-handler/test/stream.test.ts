// Chapter 02, black-box: every line of a connection comes back, however TCP cut it into pieces.

import { afterAll, afterEach, beforeAll, describe, it } from 'vitest'
import { RawClient, expectBytes, expectClosed, hint, startServer, type RunningServer } from '../../../scripts/kit/index.ts'

let server: RunningServer
beforeAll(async () => {
  server = await startServer({ reference: 'chapters/02-stream-handler' })
})
afterAll(() => server?.stop())
afterEach(() => RawClient.destroyAll()) // a failed test must not leave its connection holding the server

async function expectLines(client: RawClient, lines: string[], why: string): Promise<void> {
  for (const line of lines) expectBytes(client, await client.readLine(), line, why)
}

describe('one connection, many lines', hint('chapters/02-stream-handler/README.md#the-echo-loop'), () => {
  it('echoes each line as it comes, and keeps the connection open for the next', async () => {
    const client = await RawClient.connect(server.port)
    for (const line of ['first\r\n', 'second\r\n', 'third\r\n']) {
      await client.send(line)
      await expectLines(client, [line], 'Each line must come back before the client sends the next one.')
    }
    client.destroy()
  })

  it('echoes several lines that arrive in one write, one by one, in order', hint('chapters/02-stream-handler/README.md#one-buffer-and-the-leftovers-stay-in-it'), async () => {
    const client = await RawClient.connect(server.port)
    await client.send('one\r\ntwo\r\nthree\r\n')
    await expectLines(client, ['one\r\n', 'two\r\n', 'three\r\n'], 'One TCP segment can carry several lines.')
    client.destroy()
  })

  it('closes when the client closes its side', async () => {
    const client = await RawClient.connect(server.port)
    await client.send('last line\n')
    await expectLines(client, ['last line\n'], 'The line comes back first.')
    client.endWriting()
    await expectClosed(client, 'When the client sends FIN, the handler sees the end of the stream and the server closes too.')
  })
})

describe('lines split across writes', hint('chapters/02-stream-handler/README.md#one-buffer-and-the-leftovers-stay-in-it'), () => {
  const line = 'Hello, stream handler\r\n'
  for (const cut of [1, 5, 21, 22]) {
    it(`a line cut after byte ${cut} comes back whole`, async () => {
      const client = await RawClient.connect(server.port)
      await client.sendSplit(line, [cut])
      await expectLines(client, [line], `The line arrived in two writes (cut after byte ${cut}); it must come back as one line.`)
      client.destroy()
    })
  }

  it('a line sent one byte at a time comes back whole', async () => {
    const client = await RawClient.connect(server.port)
    await client.sendBytewise('one byte at a time\r\n')
    await expectLines(client, ['one byte at a time\r\n'], 'Every byte arrived in its own write.')
    client.destroy()
  })

  it('lines split in the middle of a multi-byte UTF-8 character come back intact', hint('chapters/02-stream-handler/README.md#bytes-text-and-where-to-decode'), async () => {
    const text = Buffer.from('你好 TCP\n', 'utf8') // 你 is e4 bd a0, 好 is e5 a5 bd
    const client = await RawClient.connect(server.port)
    await client.sendSplit(text, [1, 2, 4])
    await expectLines(client, ['你好 TCP\n'], 'A character cut in the middle must not become "\\xef\\xbf\\xbd" (U+FFFD): decode whole lines, not pieces.')
    client.destroy()
  })

  it('the second line can start in the same write that ends the first', async () => {
    const client = await RawClient.connect(server.port)
    await client.sendSplit('alpha\nbeta\ngam', [3, 8])
    await expectLines(client, ['alpha\n', 'beta\n'], 'Lines are cut out of the stream wherever "\\n" falls.')
    await client.send('ma\n')
    await expectLines(client, ['gamma\n'], 'The unfinished line waits in the buffer for its end.')
    client.destroy()
  })
})

describe('line endings', hint('chapters/02-stream-handler/README.md#one-buffer-and-the-leftovers-stay-in-it'), () => {
  it('keeps "\\r\\n" and "\\n" endings as they were sent', async () => {
    const client = await RawClient.connect(server.port)
    await client.send('crlf\r\nlf\n')
    await expectLines(client, ['crlf\r\n', 'lf\n'], 'A line ends at "\\n"; a "\\r" before it is part of the ending and comes back too.')
    client.destroy()
  })
})

describe('the line limit', hint('chapters/02-stream-handler/README.md#the-echo-loop'), () => {
  it('a line over 64 KiB gets an error line and the connection closes', async () => {
    const client = await RawClient.connect(server.port)
    await client.send('x'.repeat(70_000))
    const reply = await client.readLine()
    if (!reply.toString().startsWith('error:')) {
      expectBytes(client, reply, 'error: ...', 'A line longer than the limit must get a line starting "error:", not an echo.')
    }
    await expectClosed(client, 'After the error the server closes this connection.')
  })

  it('the server still serves the next client after that', async () => {
    const client = await RawClient.connect(server.port)
    await client.send('still serving\n')
    await expectLines(client, ['still serving\n'], 'One bad client must not stop the server.')
    client.destroy()
  })
})
