/**
 * Bench child: the baseline of the hand-off section, a bare Redis pub/sub relay. Plain `ws`
 * clients connect as visitors (`/visitor?id=N`) or agents (`/agent`). Everything goes through
 * one Redis channel (REDIS_URL, RELAY_CHANNEL), and every relay process delivers what it hears to
 * its own clients:
 * - `POST /reply` `{to, body}`: a person's reply, published, then answered 201; the relay holding
 *   visitor `to` sends it a `message` frame;
 * - a visitor's text frame `{body}`: published; every relay sends it to each of its agents.
 * No storage, no authentication, no checks: the least any hand-off fan-out must do.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import type WebSocket from 'ws'
import { WebSocketServer } from 'ws'
import { serveIpc } from './ipc.ts'

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const channel = process.env.RELAY_CHANNEL ?? 'bench-relay'
const pub = new Redis(url)
const sub = new Redis(url)
const visitors = new Map<string, WebSocket>()
const agents = new Set<WebSocket>()

type Relayed = { kind: 'reply'; to: string; body: string } | { kind: 'inbox'; body: string }

sub.on('message', (_ch: string, message: string) => {
  const m = JSON.parse(message) as Relayed
  if (m.kind === 'reply') {
    const ws = visitors.get(m.to)
    ws?.send(JSON.stringify({ type: 'message', message: { sender_type: 'agent', body: m.body } }))
  } else {
    const frame = JSON.stringify({
      type: 'message',
      message: { sender_type: 'contact', body: m.body },
    })
    for (const ws of agents) ws.send(frame)
  }
})

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/reply') {
    res.writeHead(404).end()
    return
  }
  let body = ''
  req.setEncoding('utf8')
  req.on('data', (d: string) => {
    body += d
  })
  req.on('end', () => {
    const { to, body: text } = JSON.parse(body) as { to: string; body: string }
    const m: Relayed = { kind: 'reply', to, body: text }
    pub.publish(channel, JSON.stringify(m)).then(
      () => res.writeHead(201, { 'content-type': 'application/json' }).end('{}'),
      () => res.writeHead(503).end(),
    )
  })
})
const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 })
wss.on('connection', (ws, req) => {
  const u = new URL(req.url ?? '/', 'http://relay')
  if (u.pathname === '/agent') {
    agents.add(ws)
    ws.on('close', () => agents.delete(ws))
    return
  }
  const id = u.searchParams.get('id') ?? ''
  visitors.set(id, ws)
  ws.on('close', () => visitors.delete(id))
  ws.on('message', (data) => {
    const { body } = JSON.parse(String(data)) as { body: string }
    const m: Relayed = { kind: 'inbox', body }
    void pub.publish(channel, JSON.stringify(m))
  })
})

await sub.subscribe(channel)
server.listen(0, '127.0.0.1', () => {
  serveIpc((server.address() as AddressInfo).port, async () => {
    for (const ws of wss.clients) ws.terminate()
    wss.close()
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
    pub.disconnect()
    sub.disconnect()
  })
})
