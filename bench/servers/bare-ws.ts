/**
 * Bench child: the baseline WebSocket server. A bare `ws` server on `node:http` that accepts
 * every socket and answers each text frame at once with frames shaped like the widget's
 * (typing, ack, one chunk, done), with no storage and no agent.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import { serveIpc } from './ipc.ts'

const server = createServer((_req, res) => res.writeHead(426).end())
const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 })
let n = 0
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    n++
    let sourceId: unknown
    try {
      sourceId = (JSON.parse(String(data)) as { source_message_id?: unknown }).source_message_id
    } catch {
      return
    }
    const ids = {
      conversation_id: `conv_${n}`,
      thread_id: `thread_${n}`,
      user_message_id: `msg_${n}`,
    }
    ws.send(JSON.stringify({ type: 'typing', ...ids }))
    ws.send(
      JSON.stringify({ type: 'ack', ...ids, source_message_id: sourceId, deduplicated: false }),
    )
    ws.send(
      JSON.stringify({
        type: 'chunk',
        index: 0,
        ...ids,
        chunk: 'To reset your password, open the IT portal.',
      }),
    )
    ws.send(JSON.stringify({ type: 'done', ...ids, ai_message_id: `msg_ai_${n}` }))
  })
})
server.listen(0, '127.0.0.1', () => {
  serveIpc((server.address() as AddressInfo).port, async () => {
    for (const ws of wss.clients) ws.terminate()
    wss.close()
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })
})
