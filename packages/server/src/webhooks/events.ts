import { WEBHOOK_PING_EVENT, type WebhookEventBody, type WebhookEventType } from '@aurion/contract'
import type { Db } from '../db/schema.ts'
import { newId, nowIso } from '../ids.ts'
import { subscribedEndpointIds } from './endpoint-repo.ts'

/** Called (after a short delay) when this process wrote deliveries: the worker looks sooner. */
const listeners = new Set<() => void>()

/** The delivery worker of this process subscribes; returns the unsubscribe function. */
export function onEventsWritten(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

function notify(): void {
  for (const l of listeners) l()
}

/**
 * Writes a webhook event to the outbox **inside the caller's transaction** `trx`, so it is
 * stored exactly when the change it reports is (and on SQLite joins the same group commit):
 * one event row and one pending delivery per enabled endpoint of the tenant subscribed to
 * `type`. Nothing is written when no endpoint wants it. Returns the event id (the `webhook-id`
 * of every attempt), or undefined when nothing was written.
 *
 * `data` is the event's payload as documented in the catalogue (`WEBHOOK_EVENT_CATALOGUE`).
 */
export async function emitWebhookEvent(
  trx: Db,
  tenantId: string,
  type: WebhookEventType,
  data: Record<string, unknown>,
): Promise<string | undefined> {
  const endpoints = await subscribedEndpointIds(trx, tenantId, type)
  if (endpoints.length === 0) return undefined
  return writeEvent(trx, tenantId, type, data, endpoints)
}

/** The `ping` event to one endpoint (`POST /api/v1/webhooks/{id}/test`): its delivery id. */
export async function emitPing(trx: Db, tenantId: string, endpointId: string): Promise<string> {
  const eventId = await writeEvent(
    trx,
    tenantId,
    WEBHOOK_PING_EVENT,
    { endpoint_id: endpointId, message: 'A test event from Aurion' },
    [endpointId],
  )
  const row = await trx
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('event_id', '=', eventId)
    .executeTakeFirstOrThrow()
  return row.id
}

async function writeEvent(
  trx: Db,
  tenantId: string,
  type: WebhookEventBody['type'],
  data: Record<string, unknown>,
  endpointIds: string[],
): Promise<string> {
  const now = nowIso()
  const id = newId('evt')
  const body: WebhookEventBody = { type, timestamp: now, data }
  await trx
    .insertInto('webhook_events')
    .values({ id, tenant_id: tenantId, type, payload: JSON.stringify(body), created_at: now })
    .execute()
  await trx
    .insertInto('webhook_deliveries')
    .values(
      endpointIds.map((endpointId) => ({
        id: newId('whd'),
        tenant_id: tenantId,
        endpoint_id: endpointId,
        event_id: id,
        status: 'pending',
        next_attempt_at: now,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute()
  // The caller's transaction commits after this returns: the worker looks a moment later (and
  // its regular poll catches anything this misses).
  setTimeout(notify, 15).unref()
  return id
}
