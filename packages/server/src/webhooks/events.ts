import { WEBHOOK_PING_EVENT, type WebhookEventBody, type WebhookEventType } from '@aurion/contract'
import { prepare } from '../db/prepared.ts'
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

let wake: NodeJS.Timeout | undefined

function notify(): void {
  for (const l of listeners) l()
}

/**
 * Writes a webhook event to the outbox **inside the caller's transaction** `trx`, so it is
 * stored exactly when the change it reports is (and on SQLite joins the same group commit): one
 * event row listing the enabled endpoints of the tenant subscribed to `type` at this moment. The
 * delivery worker makes their deliveries once it is committed (fan-out.ts), so the request does
 * not wait for a row per endpoint. Nothing is written when no endpoint wants it. Returns the
 * event id (the `webhook-id` of every attempt), or undefined when nothing was written.
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
  const event = await insertEvent(trx, tenantId, type, data, JSON.stringify(endpoints))
  // The caller's transaction commits after this returns: the worker looks a moment later (and
  // its regular poll catches anything this misses). One wake-up for the events of that moment.
  if (wake === undefined)
    wake = setTimeout(() => {
      wake = undefined
      notify()
    }, 15).unref()
  return event.id
}

/** Writes the event row (`fanout`: the endpoints still to get a delivery, or null). */
async function insertEvent(
  trx: Db,
  tenantId: string,
  type: WebhookEventBody['type'],
  data: Record<string, unknown>,
  fanout: string | null,
): Promise<{ id: string; createdAt: string }> {
  const createdAt = nowIso()
  const id = newId('evt')
  const body: WebhookEventBody = { type, timestamp: createdAt, data }
  const payload = JSON.stringify(body)
  await insertEventQuery(trx, { id, tenantId, type, payload, createdAt, fanout })
  return { id, createdAt }
}

/** Every widget message runs it: built and compiled once (db/prepared.ts). */
const insertEventQuery = prepare(
  (
    db,
    p: {
      id: string
      tenantId: string
      type: string
      payload: string
      createdAt: string
      fanout: string | null
    },
  ) =>
    db.insertInto('webhook_events').values({
      id: p.id,
      tenant_id: p.tenantId,
      type: p.type,
      payload: p.payload,
      created_at: p.createdAt,
      fanout: p.fanout,
    }),
)

/**
 * The `ping` event to one endpoint (`POST /api/v1/webhooks/{id}/test`), with its delivery made at
 * once (the caller answers with the delivery's id): returns that id.
 */
export async function emitPing(trx: Db, tenantId: string, endpointId: string): Promise<string> {
  const data = { endpoint_id: endpointId, message: 'A test event from Aurion' }
  const event = await insertEvent(trx, tenantId, WEBHOOK_PING_EVENT, data, null)
  const deliveryId = newId('whd')
  await trx
    .insertInto('webhook_deliveries')
    .values({
      id: deliveryId,
      tenant_id: tenantId,
      endpoint_id: endpointId,
      event_id: event.id,
      status: 'pending',
      next_attempt_at: event.createdAt,
      created_at: event.createdAt,
      updated_at: event.createdAt,
    })
    .execute()
  // No wake-up: the caller attempts it at once (`deliverNow`).
  return deliveryId
}
