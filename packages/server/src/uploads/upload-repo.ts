import { SqliteAdapter, sql } from 'kysely'
import type { Db, UploadsTable } from '../db/schema.ts'

export type UploadRow = UploadsTable
/** An upload without its bytes: what lists and attach checks need. */
export type UploadMeta = Omit<UploadRow, 'data'>

/** Uploads nobody attached to a message within this time are deleted (see {@link deleteExpiredUploads}). */
export const UNATTACHED_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000

const META_COLUMNS = [
  'id',
  'tenant_id',
  'file_name',
  'content_type',
  'size_bytes',
  'sha256',
  'message_id',
  'created_at',
] as const

/** Stores an upload (bytes included); it is durable when this resolves. */
export async function insertUpload(db: Db, row: UploadRow): Promise<void> {
  await db.insertInto('uploads').values(row).execute()
}

/** One upload of this tenant with its bytes, or undefined (another tenant's id is a miss too). */
export async function findUpload(
  db: Db,
  tenantId: string,
  id: string,
): Promise<UploadRow | undefined> {
  const row = await db
    .selectFrom('uploads')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst()
  if (row === undefined) return undefined
  // better-sqlite3 returns a Buffer, pg a Buffer too; normalise anything array-like.
  return { ...row, data: Buffer.isBuffer(row.data) ? row.data : Buffer.from(row.data) }
}

/**
 * Attaches this tenant's unattached uploads to `messageId`. Returns the ids that could NOT be
 * attached (unknown, another tenant's, or already attached — possibly by a concurrent request);
 * when it is not empty the caller must roll back its transaction and answer 422 naming
 * `upload_ids`. Run it inside the transaction that stores the message.
 */
export async function attachUploads(
  db: Db,
  tenantId: string,
  uploadIds: readonly string[],
  messageId: string,
): Promise<string[]> {
  const unique = [...new Set(uploadIds)]
  if (unique.length === 0) return []
  // The `message_id is null` condition makes the claim atomic: of two concurrent attaches of the
  // same upload, the second one updates nothing for it.
  const updated = await db
    .updateTable('uploads')
    .set({ message_id: messageId })
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', unique)
    .where('message_id', 'is', null)
    .returning('id')
    .execute()
  const done = new Set(updated.map((r) => r.id))
  return unique.filter((id) => !done.has(id))
}

/** Attachments of the given messages (metadata only), oldest first; for history and admin views. */
export async function listUploadsForMessages(
  db: Db,
  tenantId: string,
  messageIds: readonly string[],
): Promise<UploadMeta[]> {
  const unique = [...new Set(messageIds)]
  if (unique.length === 0) return []
  return db
    .selectFrom('uploads')
    .select(META_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('message_id', 'in', unique)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

/** Bytes of attachments this tenant stores (attached or not). */
export async function sumTenantUploadBytes(db: Db, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('uploads')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('size_bytes'), eb.lit(0)).as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Key space of the PostgreSQL advisory locks that serialize one tenant's quota checks. */
const QUOTA_LOCK_CLASS = 0x41555550

/**
 * Stores an upload only if the tenant's uploads, this one included, stay within `quotaBytes`.
 * The check and the insert are one transaction; on PostgreSQL a per-tenant advisory lock makes
 * concurrent uploads of a tenant take turns (SQLite transactions already do), so two uploads
 * can never both fit into the last free megabyte.
 * @returns `{ stored: true }`, or `{ stored: false, usedBytes }` when it does not fit.
 */
export async function insertUploadWithinQuota(
  db: Db,
  row: UploadRow,
  quotaBytes: number,
): Promise<{ stored: true } | { stored: false; usedBytes: number }> {
  return db.transaction().execute(async (trx) => {
    if (!(trx.getExecutor().adapter instanceof SqliteAdapter)) {
      await sql`select pg_advisory_xact_lock(${QUOTA_LOCK_CLASS}, hashtext(${row.tenant_id}))`.execute(
        trx,
      )
    }
    const usedBytes = await sumTenantUploadBytes(trx, row.tenant_id)
    if (usedBytes + row.size_bytes > quotaBytes) return { stored: false, usedBytes }
    await insertUpload(trx, row)
    return { stored: true }
  })
}

/**
 * Deletes up to `limit` uploads, of any tenant, that were never attached to a message and were
 * created before `cutoff` (ISO timestamp). Returns how many were deleted; call again while it
 * returns `limit`. Idempotent, so instances sweeping at once only share the work: an upload
 * being attached meanwhile is either attached (and kept) or deleted (and the attach reports it).
 */
export async function deleteExpiredUploads(db: Db, cutoff: string, limit: number): Promise<number> {
  const res = await db
    .deleteFrom('uploads')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('uploads')
        .select('id')
        .where('message_id', 'is', null)
        .where('created_at', '<', cutoff)
        .limit(limit),
    )
    .where('message_id', 'is', null)
    .executeTakeFirst()
  return Number(res.numDeletedRows)
}
