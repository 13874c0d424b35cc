import type { Selectable } from 'kysely'
import type { AuditLogTable, Db } from '../db/schema.ts'

export type AuditRow = Selectable<AuditLogTable>

/** Appends one entry. There is no update or delete: the table's triggers refuse both. */
export async function insertAuditEntry(db: Db, row: AuditRow): Promise<void> {
  await db.insertInto('audit_log').values(row).execute()
}

export interface AuditFilter {
  action?: string | undefined
  actorId?: string | undefined
  /** Inclusive lower bound on `created_at` (ISO 8601 UTC). */
  from?: string | undefined
  /** Exclusive upper bound on `created_at`. */
  to?: string | undefined
  /** Entries with ids below this one (the previous page's last id). */
  beforeId?: string | undefined
}

/** A tenant's entries, newest first (ids are time-ordered), `limit` of them. */
export async function listAuditEntries(
  db: Db,
  tenantId: string,
  filter: AuditFilter,
  limit: number,
): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId)
  if (filter.action !== undefined) q = q.where('action', '=', filter.action)
  if (filter.actorId !== undefined) q = q.where('actor_id', '=', filter.actorId)
  if (filter.from !== undefined) q = q.where('created_at', '>=', filter.from)
  if (filter.to !== undefined) q = q.where('created_at', '<', filter.to)
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId)
  return q.orderBy('id', 'desc').limit(limit).execute()
}
