import type { TeamRole } from '@aurion/contract'
import type { Insertable, Selectable } from 'kysely'
import type { AdminUsersTable, Db } from '../db/schema.ts'
import { newId, nowIso } from '../ids.ts'
import { hashPassword } from './password.ts'

export type AdminUserRow = Selectable<AdminUsersTable>

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** Emails are stored and looked up trimmed and lower-cased: one account per mailbox. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

/** Why an email is refused, or undefined when it looks like an address. */
export function checkEmail(email: string): string | undefined {
  const e = normalizeEmail(email)
  if (e.length > 254) return 'Email must be at most 254 characters'
  if (!EMAIL_RE.test(e)) return 'Email must be an address such as admin@example.com'
  return undefined
}

/**
 * Creates a console user of a tenant (role `owner` unless given); the password is stored only as
 * a scrypt hash.
 */
export async function createAdminUser(
  db: Db,
  input: {
    tenantId: string
    email: string
    name?: string | null
    password: string
    role?: TeamRole
  },
): Promise<AdminUserRow> {
  const row: Insertable<AdminUsersTable> = {
    id: newId('usr'),
    tenant_id: input.tenantId,
    email: normalizeEmail(input.email),
    name: input.name?.trim() || null,
    password_hash: await hashPassword(input.password),
    created_at: nowIso(),
    role: input.role ?? 'owner',
    availability: 'online',
  }
  await db.insertInto('admin_users').values(row).execute()
  return {
    ...row,
    name: row.name ?? null,
    totp_secret: null,
    totp_pending_secret: null,
    totp_enabled_at: null,
    totp_last_step: null,
  } as AdminUserRow
}

export async function findAdminUserByEmail(
  db: Db,
  email: string,
): Promise<AdminUserRow | undefined> {
  return db
    .selectFrom('admin_users')
    .selectAll()
    .where('email', '=', normalizeEmail(email))
    .executeTakeFirst()
}

export async function findAdminUserById(db: Db, id: string): Promise<AdminUserRow | undefined> {
  return db.selectFrom('admin_users').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Replaces a user's password and revokes every session they have (a reset logs them out). */
export async function setAdminUserPassword(db: Db, id: string, password: string): Promise<void> {
  const hash = await hashPassword(password)
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('admin_users').set({ password_hash: hash }).where('id', '=', id).execute()
    await trx
      .updateTable('admin_sessions')
      .set({ revoked_at: nowIso() })
      .where('user_id', '=', id)
      .where('revoked_at', 'is', null)
      .execute()
  })
}
