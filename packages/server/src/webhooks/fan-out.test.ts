import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  createTestDatabase,
  createTestTenant,
  forEachDialect,
  TEST_SECRET,
  type TestTenant,
} from '../../test/helpers.ts'
import type { DbHandle } from '../db/connect.ts'
import { createWebhookWorker } from './delivery-worker.ts'
import { createEndpoint } from './endpoint-service.ts'
import { emitWebhookEvent } from './events.ts'
import { fanOutEvents } from './fan-out.ts'

// The outbox written in the change's transaction is one row per event; the worker makes the
// deliveries afterwards (migration 0033). No worker runs here: the test fans out by hand.
forEachDialect('webhook fan-out', (dialect) => {
  let database: DbHandle
  let acme: TestTenant
  let globex: TestTenant
  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    acme = await createTestTenant(database.db)
    globex = await createTestTenant(database.db)
  })
  afterAll(async () => {
    await database.close()
  })

  // A worker that is never started: createEndpoint only needs it for the test button.
  const deps = () => ({
    db: database.db,
    serverSecret: TEST_SECRET,
    allowPrivate: true,
    worker: createWebhookWorker({
      database,
      serverSecret: TEST_SECRET,
      allowPrivate: true,
      retryBaseMs: 1000,
      pollMs: 60_000,
      log: { error() {}, warn() {} },
    }),
  })
  const endpoint = async (t: TestTenant, events: string[]) =>
    (await createEndpoint(deps(), t.tenantId, { url: 'https://hooks.example/in', events })).endpoint
      .id
  const emit = (t: TestTenant, type: 'conversation.resolved' | 'message.created') =>
    database.db
      .transaction()
      .execute((trx) => emitWebhookEvent(trx, t.tenantId, type, { conversation: {} }))
  const deliveriesOf = (eventId: string) =>
    database.db
      .selectFrom('webhook_deliveries')
      .select(['endpoint_id', 'tenant_id', 'status', 'next_attempt_at'])
      .where('event_id', '=', eventId)
      .orderBy('endpoint_id')
      .execute()
  const eventRow = (id: string) =>
    database.db
      .selectFrom('webhook_events')
      .select(['fanout', 'created_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()

  it('the transaction writes the event with its endpoints; the fan-out makes one delivery each, once', async () => {
    const a = await endpoint(acme, ['conversation.resolved'])
    const b = await endpoint(acme, ['conversation.resolved', 'message.created'])
    await endpoint(acme, ['message.created'])
    const eventId = await emit(acme, 'conversation.resolved')
    expect(eventId).toBeDefined()
    const written = await eventRow(eventId!)
    expect(JSON.parse(written.fanout!)).toEqual([a, b].sort())
    expect(await deliveriesOf(eventId!)).toEqual([])

    expect((await fanOutEvents(database)).events).toBe(1)
    const made = await deliveriesOf(eventId!)
    expect(made.map((d) => d.endpoint_id)).toEqual([a, b].sort())
    for (const d of made) {
      expect(d).toMatchObject({ tenant_id: acme.tenantId, status: 'pending' })
      expect(d.next_attempt_at).toBe(written.created_at)
    }
    expect((await eventRow(eventId!)).fanout).toBeNull()
    // Nothing left: a second pass makes no second delivery.
    expect((await fanOutEvents(database)).events).toBe(0)
    expect(await deliveriesOf(eventId!)).toHaveLength(2)
  })

  it('an endpoint deleted before the fan-out, or another tenant’s, gets no delivery', async () => {
    const kept = await endpoint(globex, ['message.created'])
    const gone = await endpoint(globex, ['message.created'])
    const foreign = await endpoint(acme, ['conversation.resolved'])
    const eventId = (await emit(globex, 'message.created'))!
    await database.db.deleteFrom('webhook_endpoints').where('id', '=', gone).execute()
    // A list naming another tenant's endpoint (never written by the server) is not trusted.
    const listed = JSON.parse((await eventRow(eventId)).fanout!) as string[]
    await database.db
      .updateTable('webhook_events')
      .set({ fanout: JSON.stringify([...listed, foreign]) })
      .where('id', '=', eventId)
      .execute()
    expect((await fanOutEvents(database)).events).toBe(1)
    expect((await deliveriesOf(eventId)).map((d) => d.endpoint_id)).toEqual([kept])
  })

  it('no endpoint subscribed: nothing is written', async () => {
    const before = await database.db
      .selectFrom('webhook_events')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    const lone = await createTestTenant(database.db)
    expect(await emit(lone, 'message.created')).toBeUndefined()
    const after = await database.db
      .selectFrom('webhook_events')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(after.n)).toBe(Number(before.n))
  })

  it('passes running at once fan every event out exactly once, in batches', async () => {
    const ids = [await endpoint(acme, ['message.created'])]
    ids.push(await endpoint(acme, ['message.created']))
    const subscribed = (
      await database.db
        .selectFrom('webhook_endpoints')
        .select('id')
        .where('tenant_id', '=', acme.tenantId)
        .where('events', 'like', '%message.created%')
        .execute()
    ).length
    const events = await Promise.all(
      Array.from({ length: 25 }, () => emit(acme, 'message.created')),
    )
    const passes = await Promise.all(
      Array.from({ length: 4 }, async () => (await fanOutEvents(database, { limit: 10 })).events),
    )
    let taken = passes.reduce((a, b) => a + b, 0)
    while (taken < events.length) {
      const n = (await fanOutEvents(database, { limit: 10 })).events
      expect(n).toBeGreaterThan(0)
      taken += n
    }
    expect(taken).toBe(events.length)
    for (const id of events) expect(await deliveriesOf(id!)).toHaveLength(subscribed)
  })

  it('takes up to `count` new deliveries to enabled endpoints for their first attempt, leased', async () => {
    const t = await createTestTenant(database.db)
    const on = [
      await endpoint(t, ['conversation.resolved']),
      await endpoint(t, ['conversation.resolved']),
    ]
    const off = await endpoint(t, ['conversation.resolved'])
    const events = [await emit(t, 'conversation.resolved'), await emit(t, 'conversation.resolved')]
    await database.db
      .updateTable('webhook_endpoints')
      .set({ enabled: 0 })
      .where('id', '=', off)
      .execute()
    const leaseUntil = new Date(Date.now() + 60_000).toISOString()
    const r = await fanOutEvents(database, { tenantId: t.tenantId, take: { count: 3, leaseUntil } })
    expect(r.events).toBe(2)
    expect(r.taken).toHaveLength(3)
    for (const c of r.taken) {
      expect(on).toContain(c.endpoint_id)
      expect(c).toMatchObject({ tenant_id: t.tenantId, attempt: 1, type: 'conversation.resolved' })
      expect(c.url).toBe('https://hooks.example/in')
    }
    const rows = await database.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'endpoint_id', 'attempt_count', 'next_attempt_at'])
      .where('event_id', 'in', events as string[])
      .execute()
    // Two events × three endpoints (the switched-off one's wait), three of them taken.
    expect(rows).toHaveLength(6)
    const takenIds = new Set(r.taken.map((c) => c.id))
    for (const row of rows) {
      if (takenIds.has(row.id)) {
        expect(Number(row.attempt_count)).toBe(1)
        expect(row.next_attempt_at).toBe(leaseUntil)
      } else expect(Number(row.attempt_count)).toBe(0)
    }
    expect(rows.filter((x) => x.endpoint_id === off).every((x) => !takenIds.has(x.id))).toBe(true)
  })
})
