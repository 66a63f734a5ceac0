// Echoes every line of a connection until the client closes it.

import { LineTooLong } from './socket-reader.ts'
import { StreamRequestHandler } from './stream-handler.ts'

export class EchoHandler extends StreamRequestHandler {
  override async handle(): Promise<void> {
    for (;;) {
      let line: Buffer
      try {
        line = await this.readline()
      } catch (error) {
        if (!(error instanceof LineTooLong)) throw error
        this.write(`error: ${error.message}, closing\r\n`)
        await this.flush()
        return
      }
      if (line.length === 0) return // the client closed its side
      this.write(this.decode(line))
      await this.flush()
    }
  }
}
