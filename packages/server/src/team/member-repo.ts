import type { AdminUsersTable, Db } from '../db/schema.ts'

/** A console user's row without the password hash. */
export type MemberRow = Pick<AdminUsersTable, (typeof COLUMNS)[number]>

const COLUMNS = ['id', 'tenant_id', 'email', 'name', 'role', 'availability', 'created_at'] as const

/** The tenant's console users, owners first, then by email. */
export async function listMemberRows(db: Db, tenantId: string): Promise<MemberRow[]> {
  const rows = await db
    .selectFrom('admin_users')
    .select(COLUMNS)
    .where('tenant_id', '=', tenantId)
    .orderBy('email')
    .execute()
  const rank = (r: string) => (r === 'owner' ? 0 : r === 'admin' ? 1 : 2)
  return rows.sort((a, b) => rank(a.role) - rank(b.role))
}

/** One console user of the tenant; undefined for an unknown id or another tenant's user. */
export async function findMemberRow(
  db: Db,
  tenantId: string,
  userId: string,
): Promise<MemberRow | undefined> {
  return db
    .selectFrom('admin_users')
    .select(COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .executeTakeFirst()
}

export async function countOwners(db: Db, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('admin_users')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function setMemberRole(db: Db, userId: string, role: string): Promise<void> {
  await db.updateTable('admin_users').set({ role }).where('id', '=', userId).execute()
}

/** Deletes a console user; their sessions and presence go with them (cascade). */
export async function deleteMember(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('admin_users').where('id', '=', userId).execute()
}

/**
 * Serializes team changes of one tenant inside a transaction: PostgreSQL locks the tenant's row
 * (two owners demoting each other at once cannot both see the other as the remaining owner);
 * SQLite runs one write transaction at a time anyway.
 */
export async function lockTenantTeam(db: Db, dialect: string, tenantId: string): Promise<void> {
  if (dialect !== 'postgres') return
  await db.selectFrom('tenants').select('id').where('id', '=', tenantId).forUpdate().execute()
}
