import type { DbHandle } from '../../packages/server/src/db/connect.ts'
import { type HttpReceiver, startHttpReceiver } from '../../packages/server/test/http-receiver.ts'

/** The events the crash run subscribes to: one per stored message, conversation and hand-off. */
export const CRASH_EVENTS = [
  'message.created',
  'conversation.created',
  'conversation.handoff_requested',
] as const

/** A loopback webhook receiver that counts every delivery by its `webhook-id` (the event id). */
export interface WebhookSink {
  url: string
  /** Deliveries received per event id (more than 1: delivered again after a kill). */
  received(): Map<string, number>
  close(): Promise<void>
}

export async function startWebhookSink(): Promise<WebhookSink> {
  const receiver: HttpReceiver = await startHttpReceiver()
  return {
    url: `${receiver.url}/crash-hook`,
    received() {
      const byId = new Map<string, number>()
      for (const r of receiver.requests) {
        const id = r.headers['webhook-id']
        if (typeof id === 'string') byId.set(id, (byId.get(id) ?? 0) + 1)
      }
      return byId
    },
    close: () => receiver.close(),
  }
}

/** Subscribes the tenant's endpoint to {@link CRASH_EVENTS} through the API (an API key). */
export async function subscribe(base: string, apiKey: string, url: string): Promise<void> {
  const res = await fetch(`${base}/api/v1/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ url, events: CRASH_EVENTS }),
  })
  if (res.status !== 201)
    throw new Error(`POST /api/v1/webhooks: ${res.status} ${await res.text()}`)
}

/**
 * Waits (at most `timeoutMs`) until the running server has drained the outbox: no delivery of
 * the tenant pending and every event row received at least once. Returns how long it took, or
 * undefined when the deadline passed (the verification then reports what is missing).
 */
export async function awaitDrained(
  database: DbHandle,
  tenantId: string,
  sink: WebhookSink,
  timeoutMs: number,
): Promise<number | undefined> {
  const t0 = performance.now()
  for (;;) {
    const pending = await database.db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow()
    if (Number(pending.n) === 0) {
      const events = await database.db
        .selectFrom('webhook_events')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .execute()
      const got = sink.received()
      if (events.every((e) => got.has(e.id))) return performance.now() - t0
    }
    if (performance.now() - t0 > timeoutMs) return undefined
    await new Promise((r) => setTimeout(r, 100))
  }
}
