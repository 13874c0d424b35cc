/**
 * Webhooks: delivery throughput to a loopback receiver on one instance (beside a bare node:http
 * client posting to the same receiver, in a process of its own), and the p99 of
 * POST /api/v1/widget/messages of tenants with 1 and 10 endpoints subscribed, beside the p99 of a
 * tenant with none in the same turns; and that tenant's p99 while deliveries run, beside its p99
 * with none under way.
 *
 *   npm run bench -- --only=webhooks
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore, startServerProcess } from '@aurion/server/test-support'
import { sql } from 'kysely'
import { aurionEnv } from './http.ts'
import { forkServer } from './lib/child.ts'
import { type BenchRow, row } from './lib/report.ts'
import { BENCH_ORIGIN, type BenchTenant, seedStore, storeDatabaseUrl } from './lib/seed.ts'
import { percentile, sorted } from './lib/stats.ts'

export interface WebhookBenchOptions {
  /** Sequential messages per latency phase. */
  messages?: number
  /** Concurrent writers in the throughput phase, and messages each. */
  writers?: number
  perWriter?: number
}

const EVENTS = ['message.created', 'conversation.created']
/** Endpoints of the bench's three tenants. */
const TENANTS = [
  { key: 'none', endpoints: 0 },
  { key: 'none too', endpoints: 0 },
  { key: 'one', endpoints: 1 },
  { key: 'ten', endpoints: 10 },
] as const
type TenantKey = (typeof TENANTS)[number]['key']
const p99 = (times: number[]) => percentile(sorted(times), 99)

export async function run(opts: WebhookBenchOptions = {}): Promise<BenchRow[]> {
  const n = opts.messages ?? 200
  const dir = mkdtempSync(join(tmpdir(), 'aurion-bench-wh-'))
  const store = { dialect: 'sqlite' as const, file: join(dir, 'aurion.db') }
  // In a process of its own: receiving 20 deliveries per message on this event loop would be
  // timed as the messages' latency.
  const receiver = await forkServer('receiver')
  const receiverUrl = `http://127.0.0.1:${receiver.port}`
  const received = async () =>
    (await (await fetch(`${receiverUrl}/received`)).json()) as { count: number; last: number }
  try {
    // Four tenants of one server: two with no endpoint, one with one and one with ten (the
    // throughput phase writes to the last).
    const tenants = new Map<TenantKey, BenchTenant>()
    for (const t of TENANTS) tenants.set(t.key, await seedStore(store))
    const server = await startServerProcess(
      aurionEnv(dir, {
        DATABASE_URL: storeDatabaseUrl(store),
        AURION_WEBHOOK_ALLOW_PRIVATE: 'true',
        LOG_LEVEL: 'info',
      }),
    )
    try {
      const send = async (key: TenantKey, body: string) => {
        const tenant = tenants.get(key)!
        const t0 = performance.now()
        const res = await fetch(`${server.url}/api/v1/widget/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: BENCH_ORIGIN },
          body: JSON.stringify({ tenant_id: tenant.tenantId, public_key: tenant.publicKey, body }),
        })
        await res.arrayBuffer()
        if (res.status !== 200) throw new Error(`POST /widget/messages: ${res.status}`)
        return performance.now() - t0
      }
      for (const { key, endpoints } of TENANTS) {
        for (let i = 0; i < endpoints; i++) {
          const res = await fetch(`${server.url}/api/v1/webhooks`, {
            method: 'POST',
            headers: { 'x-api-key': tenants.get(key)!.apiKey, 'content-type': 'application/json' },
            body: JSON.stringify({ url: `${receiverUrl}/hook/${key}/${i}`, events: EVENTS }),
          })
          if (res.status !== 201) throw new Error(`POST /webhooks: ${res.status}`)
        }
      }
      const database = await openStore(store, { migrate: false })
      let delivered: number
      let elapsedMs: number
      const times = new Map<TenantKey, number[]>(TENANTS.map((t) => [t.key, []]))
      /** The tenant with no endpoint, on a server with no delivery under way. */
      const quiet: number[] = []
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
          waitUntil(async () => (await received()).count >= (await count())).catch(async (err) => {
            const by = await database.db
              .selectFrom('webhook_deliveries')
              .select(['status', (eb) => eb.fn.countAll().as('n')])
              .groupBy('status')
              .execute()
            throw new Error(
              `${(err as Error).message}: ${(await received()).count} received, deliveries ${JSON.stringify(by)}`,
            )
          })
        // Latency. What a subscription adds to the message itself is measured with the four
        // tenants' messages taken in turn (rotating which goes first), so the machine's drift
        // and the deliveries under way weigh on all of them alike: the difference is what the
        // request does for its endpoints (the look-up, the outbox rows in its transaction). The
        // second tenant with no endpoint shows how far apart two p99s of the same thing land.
        // Slices of the tenant with no endpoint alone, each after every delivery has arrived,
        // alternate with them: against those, what the deliveries' work (on the same two cores
        // as the load generator and the receiver) costs every message of the server.
        const rounds = 4
        const per = Math.ceil(n / rounds)
        for (let i = 0; i < 20; i++)
          for (const { key } of TENANTS)
            await send(key, `warm-up ${i}: how do I reset my password?`)
        await drained()
        const mixed = async (r: number) => {
          for (let i = 0; i < per; i++)
            for (let k = 0; k < TENANTS.length; k++) {
              const { key } = TENANTS[(i + k) % TENANTS.length]!
              times.get(key)!.push(await send(key, `${key} ${r}.${i}: how do I reset my password?`))
            }
          await drained()
        }
        const alone = async (r: number) => {
          for (let i = 0; i < per; i++)
            quiet.push(await send('none', `alone ${r}.${i}: how do I reset my password?`))
        }
        for (let r = 0; r < rounds; r++) {
          if (r % 2 === 0) {
            await alone(r)
            await mixed(r)
          } else {
            await mixed(r)
            await alone(r)
          }
        }

        // Throughput: writers on the 10 endpoints; every delivery counted at the receiver.
        const from = (await received()).count
        const before = await count()
        const t0 = performance.now()
        const writers = opts.writers ?? 8
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            for (let i = 0; i < (opts.perWriter ?? 25); i++)
              await send('ten', `writer ${w} message ${i}: where is my order?`)
          }),
        )
        const total = await count()
        await waitUntil(async () => (await received()).count - from >= total - before)
        delivered = total - before
        elapsedMs = (await received()).last - (t0 + performance.timeOrigin)
      } finally {
        await database.close()
      }
      const rate = (delivered / elapsedMs) * 1000
      const bare = await bareRate(receiverUrl, delivered)
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
        ...(['one', 'ten', 'none too'] as const).map((key) => {
          const { endpoints } = TENANTS.find((t) => t.key === key)!
          const what =
            key === 'none too'
              ? 'another tenant with no endpoint (the noise of this figure)'
              : `tenant with ${endpoints === 1 ? '1 endpoint' : `${endpoints} endpoints`}`
          const value = p99(times.get(key)!)
          const none = p99(times.get('none')!)
          return row({
            section: s,
            name: `POST /widget/messages p99, ${what} (${times.get(key)!.length} sequential, in turn with the others)`,
            value,
            unit: 'ms',
            baseline: none,
            baselineLabel: 'tenant with no endpoint, same turns',
            ...(key === 'none too' ? {} : { goal: '≤ baseline + 1 ms', pass: value - none <= 1 }),
          })
        }),
        row({
          section: s,
          name: `POST /widget/messages p99, tenant with no endpoint while the others' deliveries run (${times.get('none')!.length} sequential)`,
          value: p99(times.get('none')!),
          unit: 'ms',
          baseline: p99(quiet),
          baselineLabel: `same tenant, no delivery under way (${quiet.length})`,
        }),
      ]
    } finally {
      await server.stop()
    }
  } finally {
    await receiver.stop()
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
