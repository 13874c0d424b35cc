import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type ListeningProcess, startServerProcess } from '../../test/aurion-process.ts'
import { createTestTenant, eventually, forEachDialect, TEST_SECRET } from '../../test/helpers.ts'
import {
  type HttpReceiver,
  type ReceivedRequest,
  startHttpReceiver,
} from '../../test/http-receiver.ts'
import {
  dropStore,
  openStore,
  type StoreLocation,
  storeDatabaseUrl,
} from '../../test-support/index.ts'

const ORIGIN = 'https://example.com'

interface Tenant {
  tenantId: string
  publicKey: string
  apiKey: string
}

// The outbox as users run it: `aurion serve` processes on one store, killed with SIGKILL, or two
// of them sharing PostgreSQL.
forEachDialect('webhook deliveries across server processes', (dialect) => {
  let dir: string
  let store: StoreLocation
  let crashTenant: Tenant
  let pairTenant: Tenant
  const receivers: HttpReceiver[] = []
  const servers: ListeningProcess[] = []

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aurion-wh-proc-'))
    store =
      dialect === 'sqlite'
        ? { dialect, file: join(dir, 'aurion.db') }
        : {
            dialect,
            url: process.env.TEST_DATABASE_URL!,
            schema: `t_wh_${randomBytes(5).toString('hex')}`,
          }
    const database = await openStore(store)
    try {
      crashTenant = await createTestTenant(database.db)
      pairTenant = await createTestTenant(database.db)
    } finally {
      await database.close()
    }
  })
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()))
    await Promise.all(receivers.map((r) => r.close()))
    await dropStore(store)
    rmSync(dir, { recursive: true, force: true })
  })

  const serve = async (env: Record<string, string> = {}) => {
    const s = await startServerProcess({
      AURION_DATA_DIR: dir,
      DATABASE_URL: storeDatabaseUrl(store),
      AURION_SECRET: TEST_SECRET,
      AURION_AGENT: 'builtin',
      AURION_RATE_LIMIT_MULTIPLIER: '1000000',
      AURION_WEBHOOK_ALLOW_PRIVATE: 'true',
      AURION_WEBHOOK_RETRY_BASE_MS: '40',
      AURION_WEBHOOK_POLL_MS: '50',
      // A delivery taken by a killed process is free again after 3 × this.
      AURION_WEBHOOK_TIMEOUT_MS: '500',
      ...env,
    })
    servers.push(s)
    return s
  }
  const receiver = async () => {
    const r = await startHttpReceiver()
    receivers.push(r)
    return r
  }
  const createEndpoint = async (s: ListeningProcess, t: Tenant, url: string) => {
    const res = await fetch(`${s.url}/api/v1/webhooks`, {
      method: 'POST',
      headers: { 'x-api-key': t.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ url, events: ['message.created'] }),
    })
    expect(res.status).toBe(201)
    return (await res.json()) as { id: string; secret: string }
  }
  const send = async (s: ListeningProcess, t: Tenant, body: string) => {
    const res = await fetch(`${s.url}/api/v1/widget/messages`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ tenant_id: t.tenantId, public_key: t.publicKey, body }),
    })
    expect(res.status).toBe(200)
    return ((await res.json()) as { user_message_id: string }).user_message_id
  }
  const messageIdOf = (secret: string, q: ReceivedRequest) =>
    (
      new Webhook(secret).verify(q.body, q.headers as Record<string, string>) as {
        data: { message: { id: string } }
      }
    ).data.message.id

  it('SIGKILL mid-delivery and right after an acknowledged message: both delivered after the restart, same webhook-id', async () => {
    const r = await receiver()
    // Until the kill the receiver never answers: the first delivery is in flight when it comes.
    let holding = true
    const held: ServerResponse[] = []
    const answered = new Map<string, string>() // webhook-id → message id
    let secret = ''
    r.respond((q, res) => {
      if (holding) {
        held.push(res)
        return
      }
      answered.set(String(q.headers['webhook-id']), messageIdOf(secret, q))
      res.writeHead(200).end('ok')
    })
    const first = await serve()
    const ep = await createEndpoint(first, crashTenant, `${r.url}/crash`)
    secret = ep.secret
    const inFlight = await send(first, crashTenant, 'delivery in flight at the kill')
    const seen = await eventually(async () => {
      const q = r.requests.find((x) => messageIdOf(secret, x) === inFlight)
      expect(q).toBeDefined()
      return q!
    })
    const justAcked = await send(first, crashTenant, 'acknowledged right before the kill')
    first.kill('SIGKILL')
    expect((await first.exited).signal).toBe('SIGKILL')
    for (const res of held) res.destroy()
    holding = false

    await serve()
    await eventually(
      async () => {
        const delivered = [...answered.values()]
        expect(delivered).toContain(inFlight)
        expect(delivered).toContain(justAcked)
      },
      { timeoutMs: 90_000 },
    )
    const idOf = (m: string) => [...answered].find(([, msg]) => msg === m)![0]
    expect(idOf(inFlight)).toBe(seen.headers['webhook-id'])
  }, 240_000)

  // Only PostgreSQL lets two instances share one store (not skipped on SQLite: not defined there).
  if (dialect === 'postgres')
    it('two instances on PostgreSQL share the outbox: every event delivered once', async () => {
      const r = await receiver()
      const got: string[] = []
      // A short wait per answer keeps both instances' workers busy at the same time.
      r.respond((q, res) => {
        got.push(String(q.headers['webhook-id']))
        setTimeout(() => res.writeHead(200).end('ok'), 5)
      })
      // Exactly these two instances: the crash tests' servers (same store, a 500 ms attempt
      // limit that a loaded machine overruns, so their attempts are sent again) are stopped.
      await Promise.all(servers.splice(0).map((s) => s.stop()))
      // A generous attempt limit: a slow answer under load must not count as a failure here.
      const env = { AURION_WEBHOOK_TIMEOUT_MS: '10000' }
      const [a, b] = await Promise.all([serve(env), serve(env)])
      await createEndpoint(a!, pairTenant, `${r.url}/pair`)
      // Four writers per instance, each message answered by the assistant: two events each.
      const writers = [a!, b!].flatMap((s, i) =>
        Array.from({ length: 4 }, async (_, w) => {
          for (let n = 0; n < 8; n++) await send(s, pairTenant, `writer ${i}.${w} message ${n}`)
        }),
      )
      await Promise.all(writers)
      const messages = 2 * 4 * 8 * 2
      await eventually(() => Promise.resolve(expect(got.length).toBeGreaterThanOrEqual(messages)), {
        timeoutMs: 90_000,
      })
      const database = await openStore(store, { migrate: false })
      try {
        const d = await eventually(
          async () => {
            const rows = await database.db
              .selectFrom('webhook_deliveries')
              .select(['status', 'attempt_count'])
              .where('tenant_id', '=', pairTenant.tenantId)
              .execute()
            expect(rows.every((x) => x.status === 'succeeded')).toBe(true)
            return rows
          },
          { timeoutMs: 60_000 },
        )
        expect(d).toHaveLength(messages)
        expect(d.every((x) => Number(x.attempt_count) === 1)).toBe(true)
      } finally {
        await database.close()
      }
      expect(got).toHaveLength(messages)
      expect(new Set(got).size).toBe(messages)
    }, 240_000)
})
