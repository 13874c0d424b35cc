/**
 * Hand-off at scale: two Aurion server processes on one PostgreSQL database with Redis as their
 * bus, 2,000 visitor sockets (half on each; each its own conversation, handed to a person so the
 * assistant stays silent) and 50 agents (console users) on the inbox's live channel (half on
 * each). Every visitor says one message and a quarter of them get one reply from a person, each
 * at a random moment of the measured window (the same moments for both targets). Figures, each
 * against a bare Redis pub/sub relay doing the same fan-out in the same run
 * (`servers/redis-relay.ts`: plain `ws` clients, two relay processes, one Redis channel):
 * - a person's reply (`POST /api/v1/conversations/{id}/messages` on the agent's instance, half
 *   of them the other instance than the visitor's) → the `message` frame on the visitor's socket;
 * - a visitor's message (socket frame) → its `message` event on each agent's live channel
 *   (`GET /api/v1/inbox/events`), 50 deliveries per message, on both instances.
 *
 *   npx tsx bench/handoff-scale.ts   (BENCH_VISITORS, BENCH_AGENTS, BENCH_DURATION to change the load)
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { addConsoleUser, provisionTenant } from '@aurion/server/test-support'
import { Redis } from 'ioredis'
import type WebSocket from 'ws'
import { aurionEnv } from './http.ts'
import { type BenchChild, forkServer } from './lib/child.ts'
import { createFanOut, type FanOutResult } from './lib/fanout.ts'
import { agentInstance, measureRelay } from './lib/relay-fanout.ts'
import { type BenchRow, formatTable, row } from './lib/report.ts'
import {
  BENCH_ORIGIN,
  type BenchStore,
  dropStore,
  openStore,
  storeDatabaseUrl,
} from './lib/seed.ts'
import { closeAll, openMany, sourceAddress } from './lib/sockets.ts'
import { openSse, type SseStream } from './lib/sse.ts'
import { percentile } from './lib/stats.ts'

const SECTION = 'handoff'
const PASSWORD = 'correct horse battery staple'

export interface HandoffOptions {
  visitors?: number
  agents?: number
  /** Replies from people in the measured window (default a quarter of the visitors). */
  replies?: number
  /** The measured window, in seconds. */
  durationSec?: number
  pgUrl?: string
  redisUrl?: string
  log?: (line: string) => void
}

type Frame = Record<string, unknown> & { type?: string }
const bodyOf = (f: Frame) => String((f.message as { body?: unknown } | undefined)?.body ?? '')
const senderOf = (f: Frame) => (f.message as { sender_type?: unknown } | undefined)?.sender_type

/** The next frame on `ws` that `match`es; rejects on an `error` frame or after `ms`. */
function nextFrame(ws: WebSocket, match: (f: Frame) => boolean, ms = 60_000): Promise<Frame> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no matching frame in ${ms} ms`)), ms)
    const onMessage = (data: WebSocket.RawData) => {
      const f = JSON.parse(String(data)) as Frame
      if (f.type === 'error') finish(new Error(`error frame: ${JSON.stringify(f)}`))
      else if (match(f)) finish(undefined, f)
    }
    const finish = (err?: Error, f?: Frame) => {
      clearTimeout(timer)
      ws.off('message', onMessage)
      if (err) reject(err)
      else resolve(f!)
    }
    ws.on('message', onMessage)
  })
}

/** Runs `fn(i)` for i in [0, n), `concurrency` at a time. */
async function forEachLimited(n: number, concurrency: number, fn: (i: number) => Promise<void>) {
  let next = 0
  const worker = async () => {
    for (let i = next++; i < n; i = next++) await fn(i)
  }
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, worker))
}

/** Polls `/readyz` until the server answers 200 (its Redis bus subscribed). */
async function ready(base: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    const res = await fetch(`${base}/readyz`).catch(() => undefined)
    if (res?.status === 200) return
    await res?.body?.cancel()
    if (Date.now() > deadline) throw new Error(`${base} not ready in ${ms} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export interface AurionMeasured extends FanOutResult {
  /** Each server's event-loop delay during the measured window (ms). */
  loop: { p99: number; max: number }[]
  /** Each server's CPU use during the measured window (share of one core). */
  cpu: number[]
  /** Error frames visitors got during the measured window. */
  errorFrames: number
  setupSec: number
}

/** Seeds the store: a tenant whose widget is on for BENCH_ORIGIN, and `agents` console users. */
async function seed(store: BenchStore, agents: number) {
  const database = await openStore(store)
  try {
    const t = await provisionTenant(database.db, {
      name: 'Bench Shop',
      config: { enabled: true, allowed_origins: [BENCH_ORIGIN] },
    })
    const emails = Array.from({ length: agents }, (_, j) => `agent${j}@shop.example`)
    const userIds: string[] = []
    await forEachLimited(agents, 4, async (j) => {
      const user = await addConsoleUser(database.db, t.tenantId, {
        email: emails[j]!,
        name: `Agent ${j}`,
        password: PASSWORD,
      })
      userIds[j] = user.id
    })
    return { tenantId: t.tenantId, publicKey: t.publicKey, emails, userIds }
  } finally {
    await database.close()
  }
}

async function measureAurion(
  o: Required<Omit<HandoffOptions, 'log'>>,
  log: (line: string) => void,
): Promise<AurionMeasured> {
  const tag = randomBytes(5).toString('hex')
  const store: BenchStore = { dialect: 'postgres', url: o.pgUrl, schema: `bench_handoff_${tag}` }
  const prefix = `aurion-bench-handoff-${tag}:`
  const dir = mkdtempSync(join(tmpdir(), 'aurion-bench-handoff-'))
  const servers: BenchChild[] = []
  const streams: SseStream[] = []
  let visitors: WebSocket[] = []
  try {
    const t0 = performance.now()
    const tenant = await seed(store, o.agents)
    const env = aurionEnv(dir, {
      DATABASE_URL: storeDatabaseUrl(store),
      REDIS_URL: o.redisUrl,
      AURION_REDIS_PREFIX: prefix,
      LOG_LEVEL: 'warn',
    })
    servers.push(...(await Promise.all([forkServer('aurion', env), forkServer('aurion', env)])))
    const bases = servers.map((s) => `http://127.0.0.1:${s.port}`)
    await Promise.all(bases.map((b) => ready(b)))
    const fan = createFanOut({ durationMs: o.durationSec * 1000 })

    log(`handoff: servers ready after ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    const tokens: string[] = []
    await forEachLimited(o.agents, 4, async (j) => {
      const res = await fetch(`${bases[agentInstance(j, o.agents)]}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: tenant.emails[j], password: PASSWORD }),
      })
      if (res.status !== 200) throw new Error(`login answered ${res.status}: ${await res.text()}`)
      tokens[j] = ((await res.json()) as { token: string }).token
    })
    for (let j = 0; j < o.agents; j++) {
      const url = `${bases[agentInstance(j, o.agents)]}/api/v1/inbox/events`
      streams.push(
        await openSse(url, { authorization: `Bearer ${tokens[j]}` }, (e) => {
          if (e.type === 'message' && senderOf(e) === 'contact') fan.meter.inboxShown(bodyOf(e))
        }),
      )
    }

    log(`handoff: agents signed in after ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    const q = (i: number) =>
      new URLSearchParams({
        tenant_id: tenant.tenantId,
        public_key: tenant.publicKey,
        source_thread_id: `hs-${tag}-${i}`,
      })
    visitors = await openMany(
      o.visitors,
      (i) => `${bases[i % 2]!.replace('http:', 'ws:')}/api/v1/widget/ws?${q(i)}`,
      {
        origin: BENCH_ORIGIN,
        address: (i) => sourceAddress(Math.floor(i / 40)),
        concurrency: 50,
      },
    )
    log(`handoff: visitors connected after ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    let errorFrames = 0
    let measuring = false
    for (const v of visitors) {
      v.on('message', (d) => {
        const f = JSON.parse(String(d)) as Frame
        if (f.type === 'message' && senderOf(f) === 'agent') fan.meter.replyShown(bodyOf(f))
        else if (f.type === 'ack' && measuring) fan.meter.acked(String(f.source_message_id))
        else if (f.type === 'error' && measuring) errorFrames++
      })
    }

    // Each visitor asks for a person: the assistant hands off and stays silent from then on.
    const conversations: string[] = []
    const postReply = async (i: number, text: string) => {
      const j = i % o.agents
      const res = await fetch(
        `${bases[agentInstance(j, o.agents)]}/api/v1/conversations/${conversations[i]}/messages`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens[j]}`, 'content-type': 'application/json' },
          body: JSON.stringify({ body: text }),
        },
      )
      const answer = await res.text()
      if (res.status !== 201) throw new Error(`reply answered ${res.status}: ${answer}`)
    }
    await forEachLimited(o.visitors, 32, async (i) => {
      const v = visitors[i]!
      const done = nextFrame(v, (f) => f.type === 'done')
      v.send(JSON.stringify({ body: 'I would like to talk to a person, please' }))
      conversations[i] = String((await done).conversation_id)
    })
    log(`handoff: handed off after ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    // Conversation i is assigned to agent i % agents, as the console's assign does, but in the
    // database (2,000 more requests would only lengthen the set-up).
    const database = await openStore(store, { migrate: false })
    try {
      for (let j = 0; j < o.agents; j++) {
        const mine = conversations.filter((_, i) => i % o.agents === j)
        if (mine.length === 0) continue
        await database.db
          .updateTable('conversations')
          .set({ assignee_user_id: tenant.userIds[j]! })
          .where('tenant_id', '=', tenant.tenantId)
          .where('id', 'in', mine)
          .execute()
      }
    } finally {
      await database.close()
    }
    // Warm-up: each agent answers one conversation through the API before the measurement.
    await forEachLimited(Math.min(o.visitors, o.agents), 10, async (i) => {
      const shown = nextFrame(visitors[i]!, (f) => f.type === 'message' && senderOf(f) === 'agent')
      await postReply(i, `Hello, this is agent ${i % o.agents}.`)
      await shown
    })
    const setupSec = (performance.now() - t0) / 1000
    log(`handoff: set up ${o.visitors} conversations in ${setupSec.toFixed(0)} s`)

    await Promise.all(servers.map((s) => s.loopDelay()))
    const cpu0 = await Promise.all(servers.map((s) => s.cpu()))
    const w0 = performance.now()
    measuring = true
    const result = await fan.run({
      visitors: o.visitors,
      agents: o.agents,
      replies: o.replies,
      reply: postReply,
      say: (i, text) =>
        visitors[i]!.send(JSON.stringify({ body: text, source_message_id: `V${i}` })),
    })
    measuring = false
    const wallUs = (performance.now() - w0) * 1000
    const cpu1 = await Promise.all(servers.map((s) => s.cpu()))
    const loop = await Promise.all(servers.map((s) => s.loopDelay()))
    return {
      ...result,
      loop,
      cpu: cpu1.map((c, k) => (c - cpu0[k]!) / wallUs),
      errorFrames,
      setupSec,
    }
  } finally {
    closeAll(visitors)
    for (const s of streams) s.close()
    await Promise.all(servers.map((s) => s.stop()))
    await dropStore(store).catch(() => {})
    await clearRedisPrefix(o.redisUrl, prefix).catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Removes the keys a bench run left under its own prefix (rate-limit windows, the bus log). */
async function clearRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true })
  await redis.connect()
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await redis.del(...keys)
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
}

export async function run(opts: HandoffOptions = {}): Promise<BenchRow[]> {
  const o = {
    visitors: opts.visitors ?? 2000,
    agents: opts.agents ?? 50,
    replies: opts.replies ?? Math.ceil((opts.visitors ?? 2000) / 4),
    durationSec: opts.durationSec ?? 40,
    pgUrl: opts.pgUrl ?? 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: opts.redisUrl ?? 'redis://127.0.0.1:6379',
  }
  const log = opts.log ?? (() => {})
  const base = await measureRelay(o)
  const real = await measureAurion(o, log)
  const ms = (v: number) => `${v.toFixed(1)} ms`
  log(
    `handoff: reply answered p50 ${ms(percentile(real.accepted, 50))} p99 ${ms(percentile(real.accepted, 99))} (relay ${ms(percentile(base.accepted, 50))}, ${ms(percentile(base.accepted, 99))}); visitor message acknowledged p50 ${ms(percentile(real.acked, 50))} p99 ${ms(percentile(real.acked, 99))}`,
  )
  log(
    `handoff: ${real.rate.toFixed(0)} sends/s; server CPU ${real.cpu.map((c) => `${(c * 100).toFixed(0)} %`).join(', ')}; event-loop delay max ${real.loop.map((l) => `${l.max.toFixed(0)} ms`).join(', ')}`,
  )
  const label = 'bare Redis relay'
  const load = `${o.visitors} visitors, ${o.agents} agents, 2 instances`
  const p = (r: FanOutResult, k: 'reply' | 'inbox', q: number) => percentile(r[k], q)
  return [
    row({
      section: SECTION,
      name: `person's reply → visitor's socket p50 (${load}, ${real.reply.length} replies)`,
      value: p(real, 'reply', 50),
      unit: 'ms',
      baseline: p(base, 'reply', 50),
      baselineLabel: label,
    }),
    row({
      section: SECTION,
      name: "person's reply → visitor's socket p99",
      value: p(real, 'reply', 99),
      unit: 'ms',
      baseline: p(base, 'reply', 99),
      baselineLabel: label,
      goal: '≤ 50 ms',
      pass: p(real, 'reply', 99) <= 50,
    }),
    row({
      section: SECTION,
      name: `visitor's message → agents' live channel p50 (${real.inbox.length} deliveries)`,
      value: p(real, 'inbox', 50),
      unit: 'ms',
      baseline: p(base, 'inbox', 50),
      baselineLabel: label,
    }),
    row({
      section: SECTION,
      name: "visitor's message → agents' live channel p99",
      value: p(real, 'inbox', 99),
      unit: 'ms',
      baseline: p(base, 'inbox', 99),
      baselineLabel: label,
      goal: '≤ 50 ms',
      pass: p(real, 'inbox', 99) <= 50,
    }),
    row({
      section: SECTION,
      name: "visitor's message stored (ack) → agents' live channel p99 (the fan-out alone)",
      value: percentile(real.ackToInbox, 99),
      unit: 'ms',
    }),
    row({
      section: SECTION,
      name: 'failed sends, error frames and deliveries missing',
      value: real.failed + real.errorFrames + real.missing,
      unit: '',
      baseline: base.failed + base.missing,
      baselineLabel: label,
      goal: '0',
      pass: real.failed + real.errorFrames + real.missing === 0,
    }),
    row({
      section: SECTION,
      name: 'server event-loop delay while measured, max of both',
      value: Math.max(...real.loop.map((l) => l.max)),
      unit: 'ms',
    }),
  ]
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = process.env
  const rows = await run({
    visitors: Number(env.BENCH_VISITORS ?? 2000),
    agents: Number(env.BENCH_AGENTS ?? 50),
    durationSec: Number(env.BENCH_DURATION ?? 40),
    log: console.log,
  })
  console.log(formatTable(rows))
}
