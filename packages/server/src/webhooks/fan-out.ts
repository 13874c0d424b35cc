import type { DbHandle } from '../db/connect.ts'
import { newId } from '../ids.ts'
import type { ClaimedDelivery } from './delivery-queue.ts'
import { storedStrings } from './endpoint-repo.ts'

/** Events fanned out per transaction. */
export const FANOUT_BATCH = 100
/** Rows per statement (8 parameters each, well under SQLite's limit). */
const CHUNK = 500

export interface FanOutOptions {
  limit?: number
  /** Only this tenant's events (its delivery log is about to be read). */
  tenantId?: string
  /**
   * Up to `count` of the new deliveries to enabled endpoints are taken for their first attempt
   * at once, as the queue would take them (leased until `leaseUntil`, attempt 1): no second
   * transaction to claim what was just written.
   */
  take?: { count: number; leaseUntil: string }
}

export interface FanOutResult {
  /** Events fanned out (at most the limit). */
  events: number
  /** The deliveries taken for their first attempt. */
  taken: ClaimedDelivery[]
}

/**
 * Makes the deliveries of events written with a `fanout` list (events.ts, migration 0033): one
 * pending delivery per listed endpoint that still exists, due at the event's time, then clears
 * the list — all in one transaction, so an event is fanned out exactly once. An endpoint deleted
 * since gets none (its deliveries would have gone with it); one switched off gets its delivery,
 * which waits like its others.
 *
 * On PostgreSQL the worker takes rows `FOR UPDATE SKIP LOCKED`, so instances fan out different
 * events. With `tenantId` it waits for rows another instance is fanning out instead: once that
 * commits they no longer match, and their deliveries are there to read.
 */
export function fanOutEvents(database: DbHandle, opts: FanOutOptions = {}): Promise<FanOutResult> {
  return database.db.transaction().execute(async (trx) => {
    let q = trx
      .selectFrom('webhook_events')
      .select(['id', 'tenant_id', 'type', 'payload', 'created_at', 'fanout'])
      .where('fanout', 'is not', null)
      .orderBy('created_at')
      .limit(opts.limit ?? FANOUT_BATCH)
    if (opts.tenantId !== undefined) q = q.where('tenant_id', '=', opts.tenantId)
    if (database.dialect === 'postgres')
      q = opts.tenantId === undefined ? q.forUpdate().skipLocked() : q.forUpdate()
    const events = await q.execute()
    if (events.length === 0) return { events: 0, taken: [] }
    const listed = events.map((e) => ({ ...e, endpoints: storedStrings(e.fanout) }))
    const wanted = [...new Set(listed.flatMap((e) => e.endpoints))]
    const endpoints = new Map<
      string,
      {
        tenant_id: string
        url: string
        format: string
        secret_enc: string
        failing_since: string | null
        enabled: number
      }
    >()
    for (let i = 0; i < wanted.length; i += CHUNK) {
      const found = await trx
        .selectFrom('webhook_endpoints')
        .select(['id', 'tenant_id', 'url', 'format', 'secret_enc', 'failing_since', 'enabled'])
        .where('id', 'in', wanted.slice(i, i + CHUNK))
        .execute()
      for (const r of found) endpoints.set(r.id, r)
    }
    let room = opts.take?.count ?? 0
    const taken: ClaimedDelivery[] = []
    const rows = []
    for (const e of listed) {
      for (const endpointId of e.endpoints) {
        const endpoint = endpoints.get(endpointId)
        if (endpoint?.tenant_id !== e.tenant_id) continue
        const id = newId('whd')
        const take = room > 0 && Number(endpoint.enabled) === 1
        if (take) {
          room--
          taken.push({
            id,
            tenant_id: e.tenant_id,
            endpoint_id: endpointId,
            event_id: e.id,
            attempt: 1,
            url: endpoint.url,
            format: endpoint.format,
            secret_enc: endpoint.secret_enc,
            failing_since: endpoint.failing_since,
            type: e.type,
            payload: e.payload,
          })
        }
        rows.push({
          id,
          tenant_id: e.tenant_id,
          endpoint_id: endpointId,
          event_id: e.id,
          status: 'pending',
          attempt_count: take ? 1 : 0,
          next_attempt_at: take ? opts.take!.leaseUntil : e.created_at,
          created_at: e.created_at,
          updated_at: e.created_at,
        })
      }
    }
    for (let i = 0; i < rows.length; i += CHUNK)
      await trx
        .insertInto('webhook_deliveries')
        .values(rows.slice(i, i + CHUNK))
        .execute()
    await trx
      .updateTable('webhook_events')
      .set({ fanout: null })
      .where(
        'id',
        'in',
        events.map((e) => e.id),
      )
      .execute()
    return { events: events.length, taken }
  })
}

/** Fans out every event of the tenant written so far (its delivery log is about to be read). */
export async function fanOutTenant(database: DbHandle, tenantId: string): Promise<void> {
  while ((await fanOutEvents(database, { tenantId })).events === FANOUT_BATCH) {}
}
