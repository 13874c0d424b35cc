import type { AdminUsersTable, Db } from '../db/schema.ts'
import { newId, nowIso } from '../ids.ts'
import { hashPassword } from './password.ts'

export type AdminUserRow = AdminUsersTable

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

/** Creates an admin user of a tenant; the password is stored only as a scrypt hash. */
export async function createAdminUser(
  db: Db,
  input: { tenantId: string; email: string; name?: string | null; password: string },
): Promise<AdminUserRow> {
  const row: AdminUserRow = {
    id: newId('usr'),
    tenant_id: input.tenantId,
    email: normalizeEmail(input.email),
    name: input.name?.trim() || null,
    password_hash: await hashPassword(input.password),
    created_at: nowIso(),
  }
  await db.insertInto('admin_users').values(row).execute()
  return row
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
