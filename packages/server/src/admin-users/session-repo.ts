import type { Insertable, Selectable } from 'kysely'
import { sha256Hex } from '../auth/keys.ts'
import type { AdminSessionsTable, Db } from '../db/schema.ts'
import { newId, nowIso, randomBase62 } from '../ids.ts'

export type AdminSessionRow = Selectable<AdminSessionsTable>

/** Session tokens: `ases_` + 43 base62 characters (≈ 256 bits). Only their SHA-256 is stored. */
export const SESSION_TOKEN_PREFIX = 'ases_'
/** A console session lasts 12 hours from login, then the admin signs in again. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000

const USER_AGENT_MAX = 300

/** Opens a session; the plaintext token is returned once and never stored. */
export async function createAdminSession(
  db: Db,
  input: {
    userId: string
    tenantId: string
    ttlMs?: number
    now?: Date
    /** Where it was opened: shown to the user in their list of sessions. */
    ip?: string | null
    userAgent?: string | null
  },
): Promise<{ token: string; row: AdminSessionRow }> {
  const now = input.now ?? new Date()
  const token = SESSION_TOKEN_PREFIX + randomBase62(43)
  const row: Insertable<AdminSessionsTable> & AdminSessionRow = {
    id: newId('ses'),
    user_id: input.userId,
    tenant_id: input.tenantId,
    token_hash: sha256Hex(token),
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + (input.ttlMs ?? SESSION_TTL_MS)).toISOString(),
    revoked_at: null,
    ip: input.ip ?? null,
    user_agent: input.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
    last_seen_at: now.toISOString(),
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

/**
 * The session of a token when it is neither revoked nor expired, with its user's current role
 * (read on every request, so a role change or a removal takes effect at once); undefined
 * otherwise.
 */
export async function findLiveAdminSessionByToken(
  db: Db,
  token: string,
  now = new Date(),
): Promise<(AdminSessionRow & { role: string }) | undefined> {
  return db
    .selectFrom('admin_sessions')
    .innerJoin('admin_users', 'admin_users.id', 'admin_sessions.user_id')
    .selectAll('admin_sessions')
    .select('admin_users.role')
    .where('admin_sessions.token_hash', '=', sha256Hex(token))
    .where('admin_sessions.revoked_at', 'is', null)
    .where('admin_sessions.expires_at', '>', now.toISOString())
    .executeTakeFirst()
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

/** Revokes the session of a token, if it is live; returns whether one was revoked. */
export async function revokeAdminSessionByToken(db: Db, token: string): Promise<boolean> {
  const res = await db
    .updateTable('admin_sessions')
    .set({ revoked_at: nowIso() })
    .where('token_hash', '=', sha256Hex(token))
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

/** A user's sessions that are neither revoked nor expired, most recently used first. */
export async function listLiveAdminSessions(
  db: Db,
  userId: string,
  now = new Date(),
): Promise<AdminSessionRow[]> {
  return db
    .selectFrom('admin_sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .orderBy('last_seen_at', 'desc')
    .orderBy('created_at', 'desc')
    .execute()
}

/** Revokes one live session of the user; false for another user's, unknown or ended one. */
export async function revokeUserSession(
  db: Db,
  userId: string,
  sessionId: string,
): Promise<boolean> {
  const res = await db
    .updateTable('admin_sessions')
    .set({ revoked_at: nowIso() })
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', nowIso())
    .executeTakeFirst()
  return Number(res.numUpdatedRows) > 0
}

/** Revokes every live session of the user but one; returns how many. */
export async function revokeOtherUserSessions(
  db: Db,
  userId: string,
  keepId: string,
): Promise<number> {
  const res = await db
    .updateTable('admin_sessions')
    .set({ revoked_at: nowIso() })
    .where('user_id', '=', userId)
    .where('id', '!=', keepId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', nowIso())
    .executeTakeFirst()
  return Number(res.numUpdatedRows)
}

/** Records that a session was used now. */
export async function touchAdminSession(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable('admin_sessions').set({ last_seen_at: at }).where('id', '=', id).execute()
}
