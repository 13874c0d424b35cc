import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  createTestDatabase,
  createTestTenant,
  eventually,
  forEachDialect,
  TEST_SECRET,
  type TestTenant,
} from '../../test/helpers.ts'
import { answer, type HttpReceiver, startHttpReceiver } from '../../test/http-receiver.ts'
import type { DbHandle } from '../db/connect.ts'
import { createWebhookWorker, type WebhookWorker } from './delivery-worker.ts'
import { createEndpoint } from './endpoint-service.ts'
import { emitWebhookEvent } from './events.ts'
import { failingWindowMs } from './retry-schedule.ts'

const BASE_MS = 1000
const HOUR = 3_600_000
const quiet = { error() {}, warn() {} }

// The worker against a real receiver, on a clock the test moves: a day of failures is hours of
// the test's clock, not of the wall's.
forEachDialect('webhook worker on a driven clock', (dialect) => {
  let database: DbHandle
  let receiver: HttpReceiver
  let worker: WebhookWorker
  let acme: TestTenant
  let clock = Date.now()
  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    receiver = await startHttpReceiver()
    acme = await createTestTenant(database.db)
    worker = createWebhookWorker({
      database,
      serverSecret: TEST_SECRET,
      allowPrivate: true,
      retryBaseMs: BASE_MS,
      pollMs: 10,
      log: quiet,
      now: () => clock,
      timeoutMs: 2000,
    })
    worker.start()
  })
  afterAll(async () => {
    await worker.stop()
    await receiver.close()
    await database.close()
  })

  const endpointState = (id: string) =>
    database.db
      .selectFrom('webhook_endpoints')
      .select(['enabled', 'disabled_reason', 'failing_since'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()

  it('an endpoint failing for a day is switched off (disabled_reason failing); its delivery waits', async () => {
    receiver.respond(answer(503, 'maintenance'))
    const deps = { db: database.db, serverSecret: TEST_SECRET, allowPrivate: true, worker }
    const { endpoint } = await createEndpoint(deps, acme.tenantId, {
      url: `${receiver.url}/failing`,
      events: ['conversation.resolved'],
    })
    await database.db
      .transaction()
      .execute((trx) =>
        emitWebhookEvent(trx, acme.tenantId, 'conversation.resolved', { conversation: {} }),
      )
    // The event is due at the wall's now: the test's clock starts just after it.
    clock = Date.now() + 1000
    const window = failingWindowMs(BASE_MS)
    expect(window).toBe(17_280_000) // a day at the default 5 s base: here 4.8 h
    // Attempt 1 marks the endpoint failing; each later one comes after moving the clock 3 h.
    await receiver.waitFor(1)
    const first = await eventually(async () => {
      const e = await endpointState(endpoint.id)
      expect(e.failing_since).not.toBeNull()
      return e
    })
    expect(Number(first.enabled)).toBe(1)
    clock += 3 * HOUR
    await receiver.waitFor(2)
    await eventually(async () => {
      const d = await database.db
        .selectFrom('webhook_attempts')
        .select('attempt')
        .where('attempt', '=', 2)
        .executeTakeFirst()
      expect(d).toBeDefined()
    })
    // Under the window: still on.
    expect(Number((await endpointState(endpoint.id)).enabled)).toBe(1)
    clock += 3 * HOUR
    await receiver.waitFor(3)
    const off = await eventually(async () => {
      const e = await endpointState(endpoint.id)
      expect(Number(e.enabled)).toBe(0)
      return e
    })
    expect(off.disabled_reason).toBe('failing')
    const delivery = await database.db
      .selectFrom('webhook_deliveries')
      .select(['status', 'attempt_count'])
      .where('endpoint_id', '=', endpoint.id)
      .executeTakeFirstOrThrow()
    // Kept for when the endpoint is switched on again, not attempted while it is off.
    expect(delivery).toMatchObject({ status: 'pending' })
    expect(Number(delivery.attempt_count)).toBe(3)
  })
})
