import { type Availability, PRESENCE, type TeamRole } from '@aurion/contract'
import type { Db } from '../db/schema.ts'

/** A console user who can take a conversation now. */
export interface AvailableAgent {
  id: string
  email: string
  name: string | null
  role: TeamRole
}

/** The moment before which a tab's heartbeat no longer counts as "open". */
export function presenceCutoff(now: Date): string {
  return new Date(now.getTime() - PRESENCE.ttlSeconds * 1000).toISOString()
}

/**
 * The tenant's console users who are online right now: they chose `online` and a console tab of
 * theirs sent a heartbeat within {@link PRESENCE}.ttlSeconds. Any role counts (owners and admins
 * answer conversations too). Read from the database, so every instance gives the same answer.
 * The hand-off uses it to say honestly whether someone is there ("connecting you") or not.
 */
export async function availableAgents(
  db: Db,
  tenantId: string,
  now = new Date(),
): Promise<AvailableAgent[]> {
  const rows = await db
    .selectFrom('admin_users')
    .select(['id', 'email', 'name', 'role'])
    .where('tenant_id', '=', tenantId)
    .where('availability', '=', 'online')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('admin_presence')
          .select('admin_presence.user_id')
          .whereRef('admin_presence.user_id', '=', 'admin_users.id')
          .where('admin_presence.seen_at', '>', presenceCutoff(now)),
      ),
    )
    .orderBy('email')
    .execute()
  return rows.map((r) => ({ ...r, role: r.role as TeamRole }))
}

/** Whether anyone of the tenant is online (see {@link availableAgents}). */
export async function anyAgentAvailable(db: Db, tenantId: string, now = new Date()) {
  return (await availableAgents(db, tenantId, now)).length > 0
}

/** A member's effective availability from their choice and their newest heartbeat. */
export function effectiveAvailability(
  chosen: string,
  lastSeenAt: string | undefined,
  now = new Date(),
): Availability {
  return chosen === 'online' && lastSeenAt !== undefined && lastSeenAt > presenceCutoff(now)
    ? 'online'
    : 'away'
}

/** Sets what a user chose: `online` or `away`. */
export async function setChosenAvailability(
  db: Db,
  userId: string,
  availability: Availability,
): Promise<void> {
  await db.updateTable('admin_users').set({ availability }).where('id', '=', userId).execute()
}
