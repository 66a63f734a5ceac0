// The "chapter 0" server for the lesson proof: it accepts a connection and closes it at once.

import net from 'node:net'

const port = Number(process.argv[process.argv.indexOf('--port') + 1] || process.env.PORT)
net.createServer((socket) => socket.destroy()).listen(port, '127.0.0.1')
