import type { Db, UploadsTable } from '../db/schema.ts'

export type UploadRow = UploadsTable
/** An upload without its bytes: what lists and attach checks need. */
export type UploadMeta = Omit<UploadRow, 'data'>

/** Uploads nobody attached to a message within this time are deleted (see {@link pruneStaleUploads}). */
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
 * Those of `ids` that belong to this tenant and are not attached to a message yet. The caller
 * compares with the ids it asked for and answers 422 naming `upload_ids` when some are missing.
 */
export async function findUploadsForAttach(
  db: Db,
  tenantId: string,
  ids: readonly string[],
): Promise<UploadMeta[]> {
  const unique = [...new Set(ids)]
  if (unique.length === 0) return []
  return db
    .selectFrom('uploads')
    .select(META_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', unique)
    .where('message_id', 'is', null)
    .execute()
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

/**
 * Deletes this tenant's uploads that were never attached and are older than
 * {@link UNATTACHED_UPLOAD_TTL_MS}: abandoned uploads must not fill the database.
 * Returns how many were deleted.
 */
export async function pruneStaleUploads(
  db: Db,
  tenantId: string,
  now = Date.now(),
): Promise<number> {
  const cutoff = new Date(now - UNATTACHED_UPLOAD_TTL_MS).toISOString()
  const res = await db
    .deleteFrom('uploads')
    .where('tenant_id', '=', tenantId)
    .where('message_id', 'is', null)
    .where('created_at', '<', cutoff)
    .executeTakeFirst()
  return Number(res.numDeletedRows)
}
