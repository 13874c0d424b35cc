import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import type { DbHandle } from '../db/connect.ts'
import type { Database, Db } from '../db/schema.ts'
import { nowIso } from '../ids.ts'
import { listTenants } from '../tenants/tenant-repo.ts'
import { tenantWidgetConfig } from '../tenants/tenant-service.ts'
import { wipeFreedPages } from './erasure.ts'
import { countConversationContent, deleteConversations } from './visitor-data-repo.ts'

/** Conversations deleted per statement: short transactions, requests get the database between. */
export const RETENTION_BATCH = 100
const DAY_MS = 24 * 60 * 60 * 1000
const DEFAULT_INTERVAL_MS = 60 * 60 * 1000
/** One key for every instance: only one runs retention at a time on a PostgreSQL database. */
const ADVISORY_LOCK_KEY = 0x41757231 // "Aur1"

export interface RetentionCounts {
  conversations: number
  messages: number
  uploads: number
  feedback: number
  outbox: number
}

/**
 * Deletes what a tenant's `retention_days` makes due: conversations whose last activity
 * (`updated_at`) is older than `now - retention_days`, with their messages and attachments, in
 * batches, yielding to the event loop between them. Records the counts in `retention_runs`.
 */
export async function applyTenantRetention(
  db: Db,
  tenantId: string,
  retentionDays: number,
  nowMs: number,
): Promise<RetentionCounts> {
  const cutoff = new Date(nowMs - retentionDays * DAY_MS).toISOString()
  const total: RetentionCounts = {
    conversations: 0,
    messages: 0,
    uploads: 0,
    feedback: 0,
    outbox: 0,
  }
  for (;;) {
    const n = await db.transaction().execute(async (trx) => {
      const ids = (
        await trx
          .selectFrom('conversations')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('updated_at', '<', cutoff)
          .orderBy('updated_at')
          .limit(RETENTION_BATCH)
          .execute()
      ).map((r) => r.id)
      const content = await countConversationContent(trx, tenantId, ids)
      const deleted = await deleteConversations(trx, tenantId, ids)
      total.conversations += deleted
      total.messages += content.messages
      total.uploads += content.uploads
      return ids.length
    })
    if (n < RETENTION_BATCH) break
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  const run = { ran_at: nowIso(), cutoff, ...total }
  await db
    .insertInto('retention_runs')
    .values({ tenant_id: tenantId, ...run })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet(run))
    .execute()
  return total
}

/**
 * One pass over every tenant with a retention policy. On PostgreSQL it runs only if this
 * instance takes the advisory lock (another instance running it skips); returns undefined then.
 */
export async function runRetention(
  database: DbHandle,
  nowMs = Date.now(),
): Promise<Map<string, RetentionCounts> | undefined> {
  if (database.dialect !== 'postgres') {
    const out = await retentionPass(database.db, nowMs)
    if ([...out.values()].some((c) => c.conversations > 0)) await wipeFreedPages(database)
    return out
  }
  return database.db.connection().execute(async (conn) => {
    const { rows } = await sql<{
      locked: boolean
    }>`select pg_try_advisory_lock(${ADVISORY_LOCK_KEY}) as locked`.execute(conn)
    if (!rows[0]?.locked) return undefined
    try {
      return await retentionPass(conn as Kysely<Database>, nowMs)
    } finally {
      await sql`select pg_advisory_unlock(${ADVISORY_LOCK_KEY})`.execute(conn)
    }
  })
}

async function retentionPass(db: Db, nowMs: number): Promise<Map<string, RetentionCounts>> {
  const out = new Map<string, RetentionCounts>()
  for (const tenant of await listTenants(db)) {
    const days = tenantWidgetConfig(tenant).retention_days
    if (days === null) continue
    out.set(tenant.id, await applyTenantRetention(db, tenant.id, days, nowMs))
  }
  return out
}

export interface RetentionJob {
  /** Runs a pass now (or joins the one under way). */
  runNow(): Promise<Map<string, RetentionCounts> | undefined>
  stop(): Promise<void>
}

/** Runs retention in the background: shortly after start, then every hour (`intervalMs`). */
export function startRetentionJob(
  database: DbHandle,
  opts: {
    intervalMs?: number
    log?: { warn(obj: unknown, msg: string): void; info(obj: unknown, msg: string): void }
  } = {},
): RetentionJob {
  let running: Promise<Map<string, RetentionCounts> | undefined> | undefined
  const runNow = () => {
    running ??= runRetention(database)
      .then((out) => {
        for (const [tenantId, c] of out ?? []) {
          if (c.conversations > 0) opts.log?.info({ tenantId, ...c }, 'retention deleted data')
        }
        return out
      })
      .finally(() => {
        running = undefined
      })
    return running
  }
  const tick = () => {
    runNow().catch((err: unknown) => opts.log?.warn({ err }, 'retention run failed'))
  }
  const first = setTimeout(tick, 5_000)
  const timer = setInterval(tick, opts.intervalMs ?? DEFAULT_INTERVAL_MS)
  first.unref()
  timer.unref()
  return {
    runNow,
    async stop() {
      clearTimeout(first)
      clearInterval(timer)
      await running?.catch(() => {})
    },
  }
}
