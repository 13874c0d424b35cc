/**
 * Bench child: the baseline HTTP server. Plain `node:http`, reads the request body and answers
 * a fixed JSON body of `RAW_BODY_BYTES` bytes (the size of the real endpoint's answer).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serveIpc } from './ipc.ts'

const size = Number(process.env.RAW_BODY_BYTES ?? 512)
const filler = Math.max(0, size - '{"detail":""}'.length)
const body = Buffer.from(JSON.stringify({ detail: 'x'.repeat(filler) }))

const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': body.length,
    })
    res.end(body)
  })
})
server.listen(0, '127.0.0.1', () => {
  serveIpc((server.address() as AddressInfo).port, async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })
})
