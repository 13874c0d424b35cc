/**
 * Bench child: the webhook receiver, a plain `node:http` server in a process of its own (a
 * customer's system is elsewhere: receiving deliveries must not cost the load generator's event
 * loop, which times the messages). Answers 200 to every POST, counts them, and tells
 * `GET /received` how many arrived and when the last did (epoch ms).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serveIpc } from './ipc.ts'

let count = 0
let last = 0
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/received') {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ count, last }))
    return
  }
  req.resume()
  req.on('end', () => {
    count++
    last = Date.now()
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end('ok')
  })
})
server.listen(0, '127.0.0.1', () => {
  serveIpc((server.address() as AddressInfo).port, async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })
})
