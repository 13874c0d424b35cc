import { type Selectable, sql } from 'kysely'
import { prepare } from '../db/prepared.ts'
import type { Db, WebhookAttemptsTable, WebhookDeliveriesTable } from '../db/schema.ts'
import { newId } from '../ids.ts'

export type DeliveryRow = Selectable<WebhookDeliveriesTable> & { type: string }
export type AttemptRow = Selectable<WebhookAttemptsTable>

/** The outcome of one attempt, as the worker saw it. */
export interface AttemptOutcome {
  statusCode: number | null
  durationMs: number
  error: string | null
  /** `pending` (retry at `nextAttemptAt`), `succeeded` or `failed` (no more attempts). */
  status: 'pending' | 'succeeded' | 'failed'
  nextAttemptAt: string | null
  at: string
}

/**
 * Records attempt `attempt` of a delivery and its new state — only when that attempt is still
 * the delivery's latest (a worker whose lease ran out and was overtaken records nothing).
 * Returns whether it was recorded.
 */
export async function recordAttempt(
  trx: Db,
  deliveryId: string,
  attempt: number,
  outcome: AttemptOutcome,
): Promise<boolean> {
  const r = await updateDeliveryQuery(trx, {
    status: outcome.status,
    nextAttemptAt: outcome.nextAttemptAt,
    statusCode: outcome.statusCode,
    error: outcome.error,
    durationMs: outcome.durationMs,
    at: outcome.at,
    id: deliveryId,
    attempt,
  })
  if (Number(r.numAffectedRows ?? 0) === 0) return false
  await insertAttemptQuery(trx, {
    id: newId('wha'),
    deliveryId,
    attempt,
    statusCode: outcome.statusCode,
    durationMs: outcome.durationMs,
    error: outcome.error,
    nextRetryAt: outcome.status === 'pending' ? outcome.nextAttemptAt : null,
    at: outcome.at,
  })
  return true
}

// Every attempt runs both (ten endpoints: some thirty per visitor message): built once.
const updateDeliveryQuery = prepare(
  (
    db,
    p: {
      status: string
      nextAttemptAt: string | null
      statusCode: number | null
      error: string | null
      durationMs: number
      at: string
      id: string
      attempt: number
    },
  ) =>
    db
      .updateTable('webhook_deliveries')
      .set({
        status: p.status,
        next_attempt_at: p.nextAttemptAt,
        last_status_code: p.statusCode,
        last_error: p.error,
        last_duration_ms: p.durationMs,
        updated_at: p.at,
      })
      .where('id', '=', p.id)
      .where('attempt_count', '=', p.attempt),
)

const insertAttemptQuery = prepare(
  (
    db,
    p: {
      id: string
      deliveryId: string
      attempt: number
      statusCode: number | null
      durationMs: number
      error: string | null
      nextRetryAt: string | null
      at: string
    },
  ) =>
    db.insertInto('webhook_attempts').values({
      id: p.id,
      delivery_id: p.deliveryId,
      attempt: p.attempt,
      status_code: p.statusCode,
      duration_ms: p.durationMs,
      error: p.error,
      next_retry_at: p.nextRetryAt,
      created_at: p.at,
    }),
)

/** The query of an endpoint's deliveries with their event type. */
function endpointDeliveries(db: Db, tenantId: string, endpointId: string) {
  return db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_events as v', 'v.id', 'd.event_id')
    .selectAll('d')
    .select('v.type')
    .where('d.tenant_id', '=', tenantId)
    .where('d.endpoint_id', '=', endpointId)
}

/** An endpoint's deliveries, newest first, with their event type. */
export function listDeliveries(
  db: Db,
  tenantId: string,
  endpointId: string,
  opts: { limit: number; status?: string | undefined },
): Promise<DeliveryRow[]> {
  let q = endpointDeliveries(db, tenantId, endpointId)
  if (opts.status !== undefined) q = q.where('d.status', '=', opts.status)
  return q.orderBy('d.created_at', 'desc').orderBy('d.id', 'desc').limit(opts.limit).execute()
}

export function findDelivery(
  db: Db,
  tenantId: string,
  endpointId: string,
  id: string,
): Promise<DeliveryRow | undefined> {
  return endpointDeliveries(db, tenantId, endpointId).where('d.id', '=', id).executeTakeFirst()
}

/** Attempts of these deliveries, oldest first. */
export async function listAttempts(db: Db, deliveryIds: string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return []
  return db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', 'in', deliveryIds)
    .orderBy('delivery_id')
    .orderBy('attempt')
    .execute()
}

/**
 * Deletes events older than `beforeIso` that have nothing left to deliver or fan out (their deliveries and
 * attempts go with them). Returns how many.
 */
export async function pruneDeliveredEvents(db: Db, beforeIso: string): Promise<number> {
  const r = await db
    .deleteFrom('webhook_events')
    .where('created_at', '<', beforeIso)
    .where('fanout', 'is', null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('webhook_deliveries as d')
            .select('d.id')
            .whereRef('d.event_id', '=', 'webhook_events.id')
            .where('d.status', '=', sql.lit('pending')),
        ),
      ),
    )
    .executeTakeFirst()
  return Number(r.numDeletedRows)
}
