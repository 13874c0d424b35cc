import { sha256Hex } from '../auth/keys.ts'
import type { AdminSessionsTable, Db } from '../db/schema.ts'
import { newId, nowIso, randomBase62 } from '../ids.ts'

export type AdminSessionRow = AdminSessionsTable

/** Session tokens: `ases_` + 43 base62 characters (≈ 256 bits). Only their SHA-256 is stored. */
export const SESSION_TOKEN_PREFIX = 'ases_'
/** A console session lasts 12 hours from login, then the admin signs in again. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000

/** Opens a session; the plaintext token is returned once and never stored. */
export async function createAdminSession(
  db: Db,
  input: { userId: string; tenantId: string; ttlMs?: number; now?: Date },
): Promise<{ token: string; row: AdminSessionRow }> {
  const now = input.now ?? new Date()
  const token = SESSION_TOKEN_PREFIX + randomBase62(43)
  const row: AdminSessionRow = {
    id: newId('ses'),
    user_id: input.userId,
    tenant_id: input.tenantId,
    token_hash: sha256Hex(token),
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + (input.ttlMs ?? SESSION_TTL_MS)).toISOString(),
    revoked_at: null,
  }
  await db.insertInto('admin_sessions').values(row).execute()
  return { token, row }
}

export async function findAdminSessionById(
  db: Db,
  id: string,
): Promise<AdminSessionRow | undefined> {
  return db.selectFrom('admin_sessions').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Revokes one session; returns false when it was already revoked or does not exist. */
export async function revokeAdminSession(db: Db, id: string): Promise<boolean> {
  const res = await db
    .updateTable('admin_sessions')
    .set({ revoked_at: nowIso() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(res.numUpdatedRows) > 0
}

/** Deletes sessions that expired more than a day ago (kept a while for audit), returns how many. */
export async function deleteStaleAdminSessions(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - 24 * 60 * 60 * 1000).toISOString()
  const res = await db
    .deleteFrom('admin_sessions')
    .where('expires_at', '<', cutoff)
    .executeTakeFirst()
  return Number(res.numDeletedRows)
}
