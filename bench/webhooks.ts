/**
 * Webhooks: delivery throughput to a loopback receiver on one instance (beside a bare node:http
 * client posting to the same receiver), and the p99 of POST /api/v1/widget/messages with 1 and
 * 10 endpoints subscribed, beside the same run's p99 with none.
 *
 *   npm run bench -- --only=webhooks
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore, startServerProcess } from '@aurion/server/test-support'
import { sql } from 'kysely'
import { startHttpReceiver } from '../packages/server/test/http-receiver.ts'
import { aurionEnv } from './http.ts'
import { type BenchRow, row } from './lib/report.ts'
import { BENCH_ORIGIN, seedStore, storeDatabaseUrl } from './lib/seed.ts'
import { percentile, sorted } from './lib/stats.ts'

export interface WebhookBenchOptions {
  /** Sequential messages per latency phase. */
  messages?: number
  /** Concurrent writers in the throughput phase, and messages each. */
  writers?: number
  perWriter?: number
}

const EVENTS = ['message.created', 'conversation.created']

export async function run(opts: WebhookBenchOptions = {}): Promise<BenchRow[]> {
  const n = opts.messages ?? 200
  const dir = mkdtempSync(join(tmpdir(), 'aurion-bench-wh-'))
  const store = { dialect: 'sqlite' as const, file: join(dir, 'aurion.db') }
  const receiver = await startHttpReceiver()
  try {
    const tenant = await seedStore(store)
    const server = await startServerProcess(
      aurionEnv(dir, {
        DATABASE_URL: storeDatabaseUrl(store),
        AURION_WEBHOOK_ALLOW_PRIVATE: 'true',
        LOG_LEVEL: 'info',
      }),
    )
    try {
      const auth = { tenant_id: tenant.tenantId, public_key: tenant.publicKey }
      const send = async (body: string) => {
        const t0 = performance.now()
        const res = await fetch(`${server.url}/api/v1/widget/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: BENCH_ORIGIN },
          body: JSON.stringify({ ...auth, body }),
        })
        await res.arrayBuffer()
        if (res.status !== 200) throw new Error(`POST /widget/messages: ${res.status}`)
        return performance.now() - t0
      }
      const ids: string[] = []
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${server.url}/api/v1/webhooks`, {
          method: 'POST',
          headers: { 'x-api-key': tenant.apiKey, 'content-type': 'application/json' },
          body: JSON.stringify({ url: `${receiver.url}/hook/${i}`, events: EVENTS }),
        })
        if (res.status !== 201) throw new Error(`POST /webhooks: ${res.status}`)
        ids.push(((await res.json()) as { id: string }).id)
      }
      /** Switches the first `count` endpoints on and the rest off. */
      const subscribe = async (count: number) => {
        for (const [i, id] of ids.entries()) {
          const res = await fetch(`${server.url}/api/v1/webhooks/${id}`, {
            method: 'PATCH',
            headers: { 'x-api-key': tenant.apiKey, 'content-type': 'application/json' },
            body: JSON.stringify({ enabled: i < count }),
          })
          if (res.status !== 200) throw new Error(`PATCH /webhooks: ${res.status}`)
        }
      }
      const database = await openStore(store, { migrate: false })
      let delivered: number
      let elapsedMs: number
      let none: number
      let one: number
      let ten: number
      const times = new Map<number, number[]>([0, 1, 10].map((v) => [v, []]))
      try {
        /**
         * Deliveries written so far, with those of events the worker has not fanned out yet
         * (one per endpoint the event lists: migration 0033).
         */
        const count = async () => {
          const made = await database.db
            .selectFrom('webhook_deliveries')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
          const listed = await sql<{ n: number | null }>`select sum(json_array_length(fanout)) as n
            from webhook_events where fanout is not null`.execute(database.db)
          return Number(made.n) + Number(listed.rows[0]?.n ?? 0)
        }
        /** Every delivery written so far has reached the receiver. */
        const drained = () =>
          waitUntil(async () => receiver.requests.length >= (await count())).catch(async (err) => {
            const by = await database.db
              .selectFrom('webhook_deliveries')
              .select(['status', (eb) => eb.fn.countAll().as('n')])
              .groupBy('status')
              .execute()
            throw new Error(
              `${(err as Error).message}: ${receiver.requests.length} received, deliveries ${JSON.stringify(by)}`,
            )
          })
        // Latency: sequential messages with none, 1 and 10 endpoints subscribed, in alternating
        // slices (none, 1, 10, 10, 1, none, …) so drift in the machine's load hits all three alike.
        // Each slice starts once the previous slice's deliveries are done.
        const variants = [0, 1, 10]
        const rounds = 4
        for (let i = 0; i < 20; i++) await send(`warm-up ${i}: how do I reset my password?`)
        await drained()
        for (let r = 0; r < rounds; r++) {
          for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
            await subscribe(v)
            for (let i = 0; i < Math.ceil(n / rounds); i++)
              times
                .get(v)!
                .push(await send(`${v} endpoints ${r}.${i}: how do I reset my password?`))
            // Delivered before the endpoints change (a switched-off endpoint's deliveries wait).
            await drained()
          }
        }
        const p99 = (v: number) => percentile(sorted(times.get(v)!), 99)
        none = p99(0)
        one = p99(1)
        ten = p99(10)
        await subscribe(10)

        // Throughput: writers on the 10 endpoints; every delivery counted at the receiver.
        const from = receiver.requests.length
        const before = await count()
        const t0 = performance.now()
        const writers = opts.writers ?? 8
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            for (let i = 0; i < (opts.perWriter ?? 25); i++)
              await send(`writer ${w} message ${i}: where is my order?`)
          }),
        )
        const total = await count()
        await waitUntil(async () => receiver.requests.length - from >= total - before)
        delivered = total - before
        elapsedMs = receiver.requests.at(-1)!.receivedAt - (t0 + performance.timeOrigin)
      } finally {
        await database.close()
      }
      const rate = (delivered / elapsedMs) * 1000
      const bare = await bareRate(receiver.url, delivered)
      const s = 'webhooks'
      return [
        row({
          section: s,
          name: `deliveries/s to a loopback receiver while ${opts.writers ?? 8} visitors write (10 endpoints, ${delivered} deliveries)`,
          value: rate,
          unit: '/s',
          baseline: bare,
          baselineLabel: 'bare node:http client, 16 at once',
          goal: '≥ 1000 /s',
          pass: rate >= 1000,
        }),
        row({
          section: s,
          name: `POST /widget/messages p99, 1 endpoint (${times.get(1)!.length} sequential)`,
          value: one,
          unit: 'ms',
          baseline: none,
          baselineLabel: 'no endpoint',
          goal: '≤ baseline + 1 ms',
          pass: one - none <= 1,
        }),
        row({
          section: s,
          name: `POST /widget/messages p99, 10 endpoints (${times.get(10)!.length} sequential)`,
          value: ten,
          unit: 'ms',
          baseline: none,
          baselineLabel: 'no endpoint',
          goal: '≤ baseline + 1 ms',
          pass: ten - none <= 1,
        }),
      ]
    } finally {
      await server.stop()
    }
  } finally {
    await receiver.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function waitUntil(ok: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error('webhook deliveries did not arrive in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Requests/s of a bare node:http client POSTing `total` bodies to the receiver, 16 at once. */
async function bareRate(url: string, total: number): Promise<number> {
  const body = JSON.stringify({ type: 'message.created', timestamp: new Date().toISOString() })
  let next = 0
  const t0 = performance.now()
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        `${url}/bare`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume()
          res.on('end', resolve)
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next++ < total) await one()
    }),
  )
  return (total / (performance.now() - t0)) * 1000
}
