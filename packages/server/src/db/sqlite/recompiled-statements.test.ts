import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestDatabase, createTestTenant } from '../../../test/helpers.ts'
import { captureSqliteStatements, recompiledAtEachRun } from '../../../test/sqlite-statements.ts'
import { claimJob, enqueueJob, finishJob, renewLease } from '../../jobs/job-repo.ts'
import { createDeliveryQueue } from '../../webhooks/delivery-queue.ts'
import { pruneDeliveredEvents } from '../../webhooks/delivery-repo.ts'
import type { DbHandle } from '../connect.ts'

/**
 * The queues' statements (jobs, webhook deliveries) are planned once: their tables have partial
 * indexes on a constant status (`where status = 'queued'`, `'pending'`), so a status bound as a
 * parameter would make SQLite compile the statement again at every run (see
 * test/sqlite-statements.ts). The message path is checked in message-path-plans.test.ts.
 */
const ran = captureSqliteStatements()
let h: DbHandle
beforeAll(async () => {
  h = await createTestDatabase('sqlite')
})
afterAll(async () => h.close())

it('the job and webhook delivery queues bind no status a partial index compares', async () => {
  const { tenantId } = await createTestTenant(h.db)
  ran.clear()
  await enqueueJob(h.db, { tenantId, kind: 'test', refId: 'ref_1' })
  const job = await claimJob(h.db, 'sqlite', ['test'], 60_000)
  expect(job).toBeDefined()
  expect(await renewLease(h.db, job!, 60_000)).toBe(true)
  expect(await finishJob(h.db, job!, { status: 'done' })).toBe(true)
  const now = new Date().toISOString()
  expect(await createDeliveryQueue(h).claimDue(now, now, 10)).toEqual([])
  await pruneDeliveredEvents(h.db, now)
  expect(ran.size).toBeGreaterThanOrEqual(6)
  expect(await recompiledAtEachRun(h.db, ran.keys())).toEqual([])
})

it('finds a status bound against a partial index on a constant', async () => {
  // The check itself can fail: the same query written with a bound status.
  const bound = h.db.selectFrom('webhook_deliveries').select('id').where('status', '=', 'pending')
  expect(await recompiledAtEachRun(h.db, [bound.compile().sql])).toEqual([
    expect.stringContaining('webhook_deliveries.status = ?'),
  ])
})
