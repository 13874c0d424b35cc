import { randomBytes } from 'node:crypto'
import { eventually, provisionTenant, testRedisUrl } from '@aurion/server/test-support'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { type Cluster, type ServerProcess, startCluster } from './cluster.ts'

/**
 * Two real `aurion serve` processes on loopback sharing one PostgreSQL schema and one Redis:
 * they must behave as one service (issue 6).
 */

const pgUrl = process.env.TEST_DATABASE_URL
if (!pgUrl && process.env.CI === 'true')
  throw new Error('CI=true but TEST_DATABASE_URL is not set: the scale-out tests must run in CI')
const enabled = pgUrl !== undefined && testRedisUrl() !== undefined

const ORIGIN = 'https://shop.example'
// A real 1×1 PNG: uploads are sniffed, so the bytes must match the type.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
)

interface Tenant {
  tenantId: string
  publicKey: string
  apiKey: string
}

interface Frame {
  type: string
  [k: string]: unknown
}

/** A visitor's socket: every frame it got, a way to await one, and how it closed. */
interface VisitorSocket {
  ws: WebSocket
  frames: Frame[]
  next(pred: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>
  closed: Promise<{ code: number; reason: string; at: number }>
}

describe.skipIf(!enabled)('scale-out: two instances on one PostgreSQL and one Redis', () => {
  let cluster: Cluster
  let A: ServerProcess
  let B: ServerProcess

  beforeAll(async () => {
    cluster = await startCluster(pgUrl!)
    ;[A, B] = cluster.servers as [ServerProcess, ServerProcess]
    // Both instances ready: database and Redis (limiter + bus subscription) answer.
    for (const s of cluster.servers) {
      await eventually(async () => {
        const r = await fetch(`${s.url}/readyz`)
        expect(r.status, await r.text()).toBe(200)
      })
    }
  }, 120_000)

  afterAll(async () => {
    for (const s of cluster?.servers ?? []) {
      if (!s.alive()) console.error(`[scale] server ${s.name} died:\n${s.output().slice(-8000)}`)
    }
    await cluster?.close()
  }, 60_000)

  const newTenant = async (name: string): Promise<Tenant> => {
    const t = await provisionTenant(cluster.database.db, {
      name,
      config: {
        enabled: true,
        display_title: 'Support',
        launcher_label: 'Chat with us',
        allowed_origins: [ORIGIN],
      },
      scopes: ['config:read', 'config:write', 'conversations:read'],
    })
    return { tenantId: t.tenantId, publicKey: t.publicKey, apiKey: t.apiKey }
  }

  const admin = (s: ServerProcess, t: Tenant, path: string, init: RequestInit = {}) =>
    fetch(`${s.url}/api/v1/voice-widget${path}`, {
      ...init,
      headers: { 'X-API-Key': t.apiKey, ...(init.headers as Record<string, string>) },
    })

  const postJson = (s: ServerProcess, path: string, body: unknown) =>
    fetch(`${s.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: ORIGIN },
      body: JSON.stringify(body),
    })

  const sendMessage = (s: ServerProcess, t: Tenant, body: Record<string, unknown>) =>
    postJson(s, '/api/v1/widget/messages', {
      tenant_id: t.tenantId,
      public_key: t.publicKey,
      ...body,
    })

  const connect = (s: ServerProcess, t: Tenant, query: Record<string, string> = {}) =>
    openVisitorSocket(s, {
      tenant_id: t.tenantId,
      public_key: t.publicKey,
      ...query,
    })

  /** A socket the server has fully accepted: it answered a message sent over it. */
  const connectedVisitor = async (s: ServerProcess, t: Tenant, threadId: string) => {
    const v = await connect(s, t, { source_thread_id: threadId })
    v.ws.send(JSON.stringify({ body: 'Hello, is anyone there?', source_thread_id: threadId }))
    await v.next((f) => f.type === 'done')
    return v
  }

  it('starts both instances on one schema (migrations raced safely) and reports them ready', async () => {
    for (const s of [A, B]) {
      const r = await fetch(`${s.url}/readyz`)
      const body = await r.json()
      expect(body.checks.database.ok).toBe(true)
      expect(body.checks.redis.ok).toBe(true)
    }
    const applied = await sql<{
      n: number
    }>`select count(*)::int as n from kysely_migration`.execute(cluster.database.db)
    expect(applied.rows[0]!.n).toBeGreaterThan(0)
  }, 60_000)

  it('shares the 300/minute API-key limit: the 301st request across A and B is refused', async () => {
    const t = await newTenant('Rate')
    const remaining: number[] = []
    // 300 requests, alternating instances, 20 in flight at a time.
    for (let batch = 0; batch < 15; batch++) {
      const rs = await Promise.all(
        Array.from({ length: 20 }, (_, i) => admin(i % 2 === 0 ? A : B, t, '/config')),
      )
      for (const r of rs) {
        expect(r.status).toBe(200)
        expect(r.headers.get('x-ratelimit-limit')).toBe('300')
        remaining.push(Number(r.headers.get('x-ratelimit-remaining')))
        await r.arrayBuffer()
      }
    }
    // One shared atomic counter: every request saw a distinct count, 299 down to 0.
    expect([...remaining].sort((a, b) => b - a)).toEqual(
      Array.from({ length: 300 }, (_, i) => 299 - i),
    )
    for (const s of [A, B]) {
      const r = await admin(s, t, '/config')
      expect(r.status).toBe(429)
      expect(await r.json()).toEqual({ detail: 'API key rate limit exceeded', limit: 300 })
      expect(r.headers.get('x-ratelimit-limit')).toBe('300')
      expect(r.headers.get('x-ratelimit-remaining')).toBe('0')
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(60)
    }
    // Another key is counted on its own.
    const other = await newTenant('Rate 2')
    expect((await admin(B, other, '/config')).status).toBe(200)
  }, 60_000)

  it('serves an upload written through A when read through B', async () => {
    const t = await newTenant('Uploads')
    const form = new FormData()
    form.set('tenant_id', t.tenantId)
    form.set('public_key', t.publicKey)
    form.set('file', new Blob([PNG], { type: 'image/png' }), 'pixel.png')
    const up = await fetch(`${A.url}/api/v1/widget/uploads`, {
      method: 'POST',
      headers: { Origin: ORIGIN },
      body: form,
    })
    expect(up.status, await up.clone().text()).toBe(201)
    const meta = (await up.json()) as { upload_id: string; size_bytes: number }
    expect(meta.size_bytes).toBe(PNG.length)

    // Served only to the visitor of the conversation it was sent in: send it on A.
    const thread = `thread-${randomBytes(4).toString('hex')}`
    const sent = await sendMessage(A, t, {
      body: 'Here is the screenshot',
      source_thread_id: thread,
      upload_ids: [meta.upload_id],
    })
    expect(sent.status, await sent.clone().text()).toBe(200)

    const q = `tenant_id=${t.tenantId}&public_key=${t.publicKey}&source_thread_id=${thread}`
    const got = await fetch(`${B.url}/api/v1/widget/uploads/${meta.upload_id}?${q}`, {
      headers: { Origin: ORIGIN },
    })
    expect(got.status).toBe(200)
    expect(got.headers.get('content-type')).toMatch(/^image\/png/)
    expect(Buffer.from(await got.arrayBuffer()).equals(PNG)).toBe(true)

    // Another tenant cannot read it through either instance.
    const other = await newTenant('Other')
    const q2 = `tenant_id=${other.tenantId}&public_key=${other.publicKey}&source_thread_id=${thread}`
    const denied = await fetch(`${B.url}/api/v1/widget/uploads/${meta.upload_id}?${q2}`, {
      headers: { Origin: ORIGIN },
    })
    expect(denied.status).toBe(404)
    expect(await denied.json()).toEqual({ detail: 'Upload not found' })
  }, 60_000)

  it('streams a reply to a message sent by REST on A to the visitor’s socket on B', async () => {
    const t = await newTenant('Streaming')
    const thread = `thread-${randomBytes(4).toString('hex')}`
    const first = await sendMessage(A, t, { body: 'I need help', source_thread_id: thread })
    expect(first.status, await first.clone().text()).toBe(200)
    const v = await connectedVisitor(B, t, thread)
    try {
      const before = v.frames.length
      const res = await sendMessage(A, t, {
        body: 'How do I reset my password?',
        source_thread_id: thread,
      })
      expect(res.status).toBe(200)
      const sent = (await res.json()) as {
        thread_id: string
        conversation_id: string
        ai_message_id: string
        ai_response: string
      }
      const done = await v.next((f) => f.type === 'done' && f.ai_message_id === sent.ai_message_id)
      expect(done).toMatchObject({
        thread_id: sent.thread_id,
        conversation_id: sent.conversation_id,
        ai_response: sent.ai_response,
      })
      const chunks = v.frames
        .slice(before)
        .filter((f) => f.type === 'chunk' && f.thread_id === sent.thread_id)
      expect(chunks.length).toBeGreaterThan(0)
      expect(chunks.map((f) => f.index)).toEqual(chunks.map((_, i) => i))
      expect(chunks.map((f) => f.chunk).join('')).toBe(sent.ai_response)
    } finally {
      v.ws.close()
    }
  }, 60_000)

  it('closes the tenant’s sockets on B within one second of a key regeneration on A', async () => {
    const t = await newTenant('Revoke')
    const other = await newTenant('Bystander')
    const v = await connectedVisitor(B, t, `th-${randomBytes(4).toString('hex')}`)
    const bystander = await connectedVisitor(B, other, `th-${randomBytes(4).toString('hex')}`)
    // Measured from sending the request (an upper bound: it includes the request itself).
    const sentAt = Date.now()
    const r = await admin(A, t, '/config/regenerate-key', { method: 'POST' })
    expect(r.status).toBe(200)
    const { public_widget_key } = (await r.json()) as { public_widget_key: string }
    const closed = await v.closed
    const latencyMs = closed.at - sentAt
    console.log(`[scale] key regenerated on A → socket on B closed in ${latencyMs} ms`)
    expect(closed.code).toBe(1008)
    expect(latencyMs).toBeLessThan(1000)
    // Other tenants' sockets are untouched.
    expect(bystander.ws.readyState).toBe(WebSocket.OPEN)
    bystander.ws.close()

    // B refuses the old key at once over REST too (its tenant cache was dropped by the event).
    const session = (publicKey: string) =>
      postJson(B, '/api/v1/widget/session', {
        tenant_id: t.tenantId,
        public_key: publicKey,
        email: 'jane@example.com',
      })
    const old = await session(t.publicKey)
    expect(old.status).toBe(403)
    expect(await old.json()).toEqual({ detail: 'Invalid widget credentials or widget disabled' })
    expect((await session(public_widget_key)).status).toBe(200)

    // The old key no longer opens a socket on B; the new one does.
    const stale = await connect(B, t)
    expect((await stale.closed).code).toBe(1008)
    const fresh = await connectedVisitor(
      B,
      { ...t, publicKey: public_widget_key },
      `th-${randomBytes(4).toString('hex')}`,
    )
    fresh.ws.close()
  }, 60_000)

  it('closes the tenant’s sockets on B within one second of disabling the widget on A', async () => {
    const t = await newTenant('Disable')
    // B has the tenant in its cache before the change.
    const warm = await postJson(B, '/api/v1/widget/session', {
      tenant_id: t.tenantId,
      public_key: t.publicKey,
      email: 'jane@example.com',
    })
    expect(warm.status).toBe(200)
    const v = await connectedVisitor(B, t, `th-${randomBytes(4).toString('hex')}`)
    const sentAt = Date.now()
    const r = await admin(A, t, '/config', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        enabled: false,
        display_title: 'Support',
        launcher_label: 'Chat with us',
        allowed_origins: [ORIGIN],
      }),
    })
    expect(r.status).toBe(200)
    const closed = await v.closed
    console.log(`[scale] widget disabled on A → socket on B closed in ${closed.at - sentAt} ms`)
    expect(closed.code).toBe(1008)
    expect(closed.at - sentAt).toBeLessThan(1000)
    // And B refuses the disabled widget at once (no stale config).
    const r2 = await postJson(B, '/api/v1/widget/session', {
      tenant_id: t.tenantId,
      public_key: t.publicKey,
      email: 'jane@example.com',
    })
    expect(r2.status).toBe(403)
  }, 60_000)

  it('answers 503 while Redis is down and recovers on its own when it is back', async () => {
    const t = await newTenant('Redis outage')
    expect((await admin(A, t, '/config')).status).toBe(200)

    await cluster.redis.stop()
    for (const s of [A, B]) {
      const r = await admin(s, t, '/config')
      expect(r.status).toBe(503)
      expect(await r.json()).toEqual({
        detail: 'Service temporarily unavailable (rate-limit store unreachable). Please retry.',
      })
      expect(r.headers.get('retry-after')).toBe('2')
      const session = await postJson(s, '/api/v1/widget/session', {
        tenant_id: t.tenantId,
        public_key: t.publicKey,
        email: 'jane@example.com',
      })
      expect(session.status).toBe(503)
      expect(((await session.json()) as { detail: string }).detail).toMatch(/unreachable/)
      const ready = await fetch(`${s.url}/readyz`)
      expect(ready.status).toBe(503)
      expect(await ready.json()).toMatchObject({ detail: 'Not ready: redis unavailable' })
      // Liveness is unaffected: an orchestrator must not restart the instance for this.
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200)
    }

    await cluster.redis.start()
    for (const s of [A, B]) {
      await eventually(
        async () => {
          const r = await fetch(`${s.url}/readyz`)
          expect(r.status).toBe(200)
        },
        { timeoutMs: 15_000 },
      )
      expect((await admin(s, t, '/config')).status).toBe(200)
    }
    expect(A.alive() && B.alive()).toBe(true)

    // Events flow between the instances again.
    const v = await connectedVisitor(B, t, `th-${randomBytes(4).toString('hex')}`)
    const r = await admin(A, t, '/config/regenerate-key', { method: 'POST' })
    expect(r.status).toBe(200)
    expect((await v.closed).code).toBe(1008)
  }, 60_000)

  it('answers 503 while PostgreSQL is unreachable, leaves no half-written rows, and recovers', async () => {
    const t = await newTenant('PG outage')
    const db = cluster.database.db
    // A burst of messages on both instances with the database cut off in the middle of it.
    const ids = Array.from({ length: 16 }, (_, i) => `pg-outage-${i}`)
    const send = (id: string, i: number) =>
      sendMessage(i % 2 === 0 ? A : B, t, {
        body: `Question number ${i} about my invoice`,
        source_thread_id: `pg-thread-${i % 4}`,
        source_message_id: id,
      })
    const burst = ids.map((id, i) => send(id, i))
    // Cut once the first answer is back: the others are in flight.
    await Promise.race(burst)
    await cluster.pgProxy.cut()
    const statuses = await Promise.all(burst.map(async (p) => (await p).status))
    console.log(`[scale] burst across the database cut: ${JSON.stringify(countBy(statuses))}`)
    for (const s of statuses) expect([200, 503]).toContain(s)

    for (const s of [A, B]) {
      const r = await admin(s, t, '/config')
      expect(r.status).toBe(503)
      expect(await r.json()).toEqual({
        detail: 'Service temporarily unavailable (database unreachable). Please retry.',
      })
      const ready = await fetch(`${s.url}/readyz`)
      expect(ready.status).toBe(503)
      expect(await ready.json()).toMatchObject({ detail: 'Not ready: database unavailable' })
    }

    await cluster.pgProxy.restore()
    for (const s of [A, B]) {
      await eventually(async () => expect((await admin(s, t, '/config')).status).toBe(200), {
        timeoutMs: 15_000,
      })
    }
    expect(A.alive() && B.alive()).toBe(true)

    // Retrying every message (same source_message_id) completes it exactly once.
    for (const [i, id] of ids.entries()) {
      const r = await send(id, i)
      expect(r.status, await r.clone().text()).toBe(200)
    }
    const rows = await db
      .selectFrom('messages')
      .select(['source_message_id', 'sender_type', 'conversation_id', 'thread_id'])
      .where('tenant_id', '=', t.tenantId)
      .execute()
    const visitor = rows.filter((r) => r.sender_type === 'contact')
    expect(visitor.map((r) => r.source_message_id).sort()).toEqual([...ids].sort())
    expect(rows.filter((r) => r.sender_type === 'ai')).toHaveLength(ids.length)
    // No conversation or thread was left without its messages.
    const conversations = await db
      .selectFrom('conversations')
      .select('id')
      .where('tenant_id', '=', t.tenantId)
      .execute()
    const threads = await db
      .selectFrom('threads')
      .select('id')
      .where('tenant_id', '=', t.tenantId)
      .execute()
    const withMessages = new Set(rows.map((r) => r.conversation_id))
    const threadsWithMessages = new Set(rows.map((r) => r.thread_id))
    expect(conversations.every((c) => withMessages.has(c.id))).toBe(true)
    expect(threads.every((th) => threadsWithMessages.has(th.id))).toBe(true)
    expect(threads).toHaveLength(4)
  }, 60_000)
})

function countBy(values: number[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const v of values) out[v] = (out[v] ?? 0) + 1
  return out
}

function openVisitorSocket(
  s: ServerProcess,
  query: Record<string, string>,
): Promise<VisitorSocket> {
  const url = `${s.url.replace(/^http/, 'ws')}/api/v1/widget/ws?${new URLSearchParams(query)}`
  const ws = new WebSocket(url, { origin: ORIGIN })
  const frames: Frame[] = []
  const waiters = new Set<() => void>()
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()) as Frame)
    for (const w of [...waiters]) w()
  })
  const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) => {
    ws.once('close', (code, reason) => {
      resolve({ code, reason: reason.toString(), at: Date.now() })
      for (const w of [...waiters]) w()
    })
  })
  const next = (pred: (f: Frame) => boolean, timeoutMs = 10_000) =>
    new Promise<Frame>((resolve, reject) => {
      const check = () => {
        const f = frames.find(pred)
        if (f) {
          cleanup()
          resolve(f)
        } else if (ws.readyState === WebSocket.CLOSED) {
          cleanup()
          reject(new Error(`socket closed; frames: ${JSON.stringify(frames)}`))
        }
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`no matching frame in ${timeoutMs} ms; frames: ${JSON.stringify(frames)}`))
      }, timeoutMs)
      const cleanup = () => {
        clearTimeout(timer)
        waiters.delete(check)
      }
      waiters.add(check)
      check()
    })
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, next, closed }))
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`WebSocket upgrade refused: ${res.statusCode}`)),
    )
    ws.once('error', reject)
  })
}
