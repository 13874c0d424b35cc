import type { Db } from '../db/schema.ts'

/**
 * Records that a console tab of a user is open (insert or refresh). Rows of the user's tabs not
 * heard from for a day are deleted on the way, so closed tabs do not pile up.
 */
export async function touchPresence(
  db: Db,
  input: { userId: string; tenantId: string; tabId: string; now: Date },
): Promise<void> {
  const seenAt = input.now.toISOString()
  const staleBefore = new Date(input.now.getTime() - 24 * 3600_000).toISOString()
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('admin_presence')
      .values({
        user_id: input.userId,
        tenant_id: input.tenantId,
        tab_id: input.tabId,
        seen_at: seenAt,
      })
      .onConflict((oc) => oc.columns(['user_id', 'tab_id']).doUpdateSet({ seen_at: seenAt }))
      .execute()
    await trx
      .deleteFrom('admin_presence')
      .where('user_id', '=', input.userId)
      .where('seen_at', '<', staleBefore)
      .execute()
  })
}

/** Forgets one tab (it is closing). */
export async function removePresence(db: Db, userId: string, tabId: string): Promise<void> {
  await db
    .deleteFrom('admin_presence')
    .where('user_id', '=', userId)
    .where('tab_id', '=', tabId)
    .execute()
}

/** The newest heartbeat of each user of a tenant who has any. */
export async function lastSeenByUser(db: Db, tenantId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('admin_presence')
    .select(['user_id', (eb) => eb.fn.max('seen_at').as('seen_at')])
    .where('tenant_id', '=', tenantId)
    .groupBy('user_id')
    .execute()
  return new Map(rows.map((r) => [r.user_id, String(r.seen_at)]))
}
