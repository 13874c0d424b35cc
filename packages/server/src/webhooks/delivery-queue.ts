import { sql } from 'kysely'
import type { DbHandle } from '../db/connect.ts'
import type { Db } from '../db/schema.ts'

/** A delivery a worker took for one attempt, with what it needs to make it. */
export interface ClaimedDelivery {
  id: string
  tenant_id: string
  endpoint_id: string
  event_id: string
  /** This attempt's number (1-based): the outcome is recorded only if it is still the latest. */
  attempt: number
  url: string
  format: string
  secret_enc: string
  failing_since: string | null
  type: string
  payload: string
}

/**
 * The delivery queue: pending deliveries due now, each taken by one worker for one attempt.
 * Taking one moves its due time `leaseMs` ahead (longer than an attempt can last) and counts the
 * attempt, in one transaction; a worker that dies mid-attempt loses its lease and another takes
 * the delivery again (at least once). Two implementations, chosen here by the database:
 * - embedded (SQLite): one process, transactions serialized, a plain select-then-update;
 * - PostgreSQL: `FOR UPDATE SKIP LOCKED`, so every instance delivers and two instances never
 *   take the same attempt.
 */
export interface DeliveryQueue {
  claimDue(nowIso: string, leaseUntilIso: string, limit: number): Promise<ClaimedDelivery[]>
  /** Takes one delivery (of this tenant) whatever its due time: the test button, a redelivery. */
  claimOne(
    tenantId: string,
    deliveryId: string,
    leaseUntilIso: string,
  ): Promise<ClaimedDelivery | undefined>
}

export function createDeliveryQueue(database: DbHandle): DeliveryQueue {
  const lockRows = database.dialect === 'postgres'
  return {
    claimDue: (now, leaseUntil, limit) =>
      database.db.transaction().execute(async (trx) => {
        let q = trx
          .selectFrom('webhook_deliveries as d')
          .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
          .select('d.id')
          .where('d.status', '=', sql.lit('pending'))
          .where('d.next_attempt_at', '<=', now)
          .where('e.enabled', '=', 1)
          .orderBy('d.next_attempt_at')
          .limit(limit)
        if (lockRows) q = q.forUpdate('d').skipLocked()
        const ids = (await q.execute()).map((r) => r.id)
        return take(trx, ids, leaseUntil)
      }),
    claimOne: (tenantId, deliveryId, leaseUntil) =>
      database.db.transaction().execute(async (trx) => {
        let q = trx
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('id', '=', deliveryId)
        if (lockRows) q = q.forUpdate()
        const found = await q.executeTakeFirst()
        if (!found) return undefined
        return (await take(trx, [found.id], leaseUntil))[0]
      }),
  }
}

async function take(trx: Db, ids: string[], leaseUntil: string): Promise<ClaimedDelivery[]> {
  if (ids.length === 0) return []
  await trx
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      status: 'pending',
      next_attempt_at: leaseUntil,
      attempt_count: eb('attempt_count', '+', 1),
    }))
    .where('id', 'in', ids)
    .execute()
  const rows = await trx
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .innerJoin('webhook_events as v', 'v.id', 'd.event_id')
    .select([
      'd.id',
      'd.tenant_id',
      'd.endpoint_id',
      'd.event_id',
      'd.attempt_count as attempt',
      'e.url',
      'e.format',
      'e.secret_enc',
      'e.failing_since',
      'v.type',
      'v.payload',
    ])
    .where('d.id', 'in', ids)
    .execute()
  return rows.map((r) => ({ ...r, attempt: Number(r.attempt) }))
}
