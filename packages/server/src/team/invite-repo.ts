import type { AdminInvitesTable, Db } from '../db/schema.ts'

export type InviteRow = AdminInvitesTable

/** An invitation with the name and email of who sent it. */
export type InviteWithInviter = InviteRow & {
  inviter_email: string | null
  inviter_name: string | null
}

export async function insertInvite(db: Db, row: InviteRow): Promise<void> {
  await db.insertInto('admin_invites').values(row).execute()
}

/** Invitations of the tenant not accepted and not expired, newest first. */
export async function listPendingInvites(
  db: Db,
  tenantId: string,
  now: Date,
): Promise<InviteWithInviter[]> {
  return db
    .selectFrom('admin_invites')
    .leftJoin('admin_users', 'admin_users.id', 'admin_invites.invited_by')
    .selectAll('admin_invites')
    .select(['admin_users.email as inviter_email', 'admin_users.name as inviter_name'])
    .where('admin_invites.tenant_id', '=', tenantId)
    .where('admin_invites.accepted_at', 'is', null)
    .where('admin_invites.expires_at', '>', now.toISOString())
    .orderBy('admin_invites.created_at', 'desc')
    .execute()
}

export async function countPendingInvites(db: Db, tenantId: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom('admin_invites')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('accepted_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** The invitation of a token hash, whatever its state (the caller checks it). */
export async function findInviteByTokenHash(db: Db, tokenHash: string) {
  return db
    .selectFrom('admin_invites')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst()
}

/**
 * Marks an invitation used, only if it still is pending and unexpired: of two concurrent
 * acceptances exactly one gets true.
 */
export async function markInviteAccepted(db: Db, id: string, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('admin_invites')
    .set({ accepted_at: now.toISOString() })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst()
  return Number(res.numUpdatedRows) === 1
}

/** Withdraws the pending invitations of an email in a tenant (a new one replaces them). */
export async function deletePendingInvitesFor(
  db: Db,
  tenantId: string,
  email: string,
): Promise<void> {
  await db
    .deleteFrom('admin_invites')
    .where('tenant_id', '=', tenantId)
    .where('email', '=', email)
    .where('accepted_at', 'is', null)
    .execute()
}

/** Withdraws one pending invitation of the tenant; false when there is none. */
export async function deletePendingInvite(db: Db, tenantId: string, id: string): Promise<boolean> {
  const res = await db
    .deleteFrom('admin_invites')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .executeTakeFirst()
  return Number(res.numDeletedRows) === 1
}

/** Deletes invitations that expired or were accepted more than 30 days ago. */
export async function deleteOldInvites(db: Db, now: Date): Promise<void> {
  const cutoff = new Date(now.getTime() - 30 * 24 * 3600_000).toISOString()
  await db
    .deleteFrom('admin_invites')
    .where((eb) => eb.or([eb('expires_at', '<', cutoff), eb('accepted_at', '<', cutoff)]))
    .execute()
}
