import type { TeamMember, TeamRole } from '@aurion/contract'
import type { DbHandle } from '../db/connect.ts'
import type { Db } from '../db/schema.ts'
import { conflict, invalidSession, notFound } from '../errors.ts'
import { effectiveAvailability } from './availability.ts'
import {
  countOwners,
  deleteMember,
  findMemberRow,
  listMemberRows,
  lockTenantTeam,
  type MemberRow,
  setMemberRole,
} from './member-repo.ts'
import { lastSeenByUser } from './presence-repo.ts'
import {
  assertManagesTeam,
  assertMayChange,
  assertMayGrant,
  assertOwnerRemains,
  type TeamActor,
} from './team-rules.ts'

function toMember(row: MemberRow, lastSeen: string | undefined, now: Date): TeamMember {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as TeamRole,
    availability: effectiveAvailability(row.availability, lastSeen, now),
    chosen_availability: row.availability === 'away' ? 'away' : 'online',
    last_seen_at: lastSeen ?? null,
    created_at: row.created_at,
  }
}

/** The tenant's team with each member's availability (any role may see who is around). */
export async function listTeam(db: Db, tenantId: string, now = new Date()): Promise<TeamMember[]> {
  const [rows, seen] = await Promise.all([
    listMemberRows(db, tenantId),
    lastSeenByUser(db, tenantId),
  ])
  return rows.map((r) => toMember(r, seen.get(r.id), now))
}

/** One member as the API shows them; 404 for an unknown id or another tenant's user. */
export async function getMember(
  db: Db,
  tenantId: string,
  userId: string,
  now = new Date(),
): Promise<TeamMember> {
  const row = await findMemberRow(db, tenantId, userId)
  if (!row) throw notFound('Team member not found')
  const seen = await lastSeenByUser(db, tenantId)
  return toMember(row, seen.get(row.id), now)
}

/**
 * Locks the tenant's team for this transaction and reads the actor's role again under the lock:
 * a concurrent change may just have demoted them.
 */
async function lockedActor(db: Db, dialect: string, actor: TeamActor): Promise<TeamActor> {
  await lockTenantTeam(db, dialect, actor.tenantId)
  const row = await findMemberRow(db, actor.tenantId, actor.userId)
  if (!row) throw invalidSession()
  const fresh = { ...actor, role: row.role }
  assertManagesTeam(fresh)
  return fresh
}

/**
 * Under the team lock ({@link lockedActor}): the actor as they are now and the member they are
 * about to change, whom they must be allowed to change.
 * @throws ApiError 403 (role), 404 (not in the actor's tenant).
 */
async function lockedChange(
  db: Db,
  dialect: string,
  actor: TeamActor,
  userId: string,
): Promise<{ me: TeamActor; target: MemberRow }> {
  const me = await lockedActor(db, dialect, actor)
  const target = await findMemberRow(db, actor.tenantId, userId)
  if (!target) throw notFound('Team member not found')
  assertMayChange(me, target)
  return { me, target }
}

/**
 * Changes a member's role. Owners change anyone; admins change admins and agents but never an
 * owner, and never make one; the last owner keeps the role.
 * @throws ApiError 403 (role), 404 (not in the actor's tenant), 409 (last owner).
 */
export async function changeMemberRole(
  database: DbHandle,
  actor: TeamActor,
  userId: string,
  role: TeamRole,
): Promise<TeamMember> {
  assertManagesTeam(actor)
  await database.db.transaction().execute(async (trx) => {
    const { me, target } = await lockedChange(trx, database.dialect, actor, userId)
    assertMayGrant(me, role)
    if (target.role === role) return
    if (role !== 'owner') assertOwnerRemains(await countOwners(trx, actor.tenantId), target)
    await setMemberRole(trx, userId, role)
  })
  return getMember(database.db, actor.tenantId, userId)
}

/**
 * Removes a member from the team: their account and sessions end at once. Same rules as a role
 * change; nobody removes themselves (another owner or admin does).
 * @throws ApiError 403, 404, 409.
 */
export async function removeMember(
  database: DbHandle,
  actor: TeamActor,
  userId: string,
): Promise<void> {
  assertManagesTeam(actor)
  await database.db.transaction().execute(async (trx) => {
    const { target } = await lockedChange(trx, database.dialect, actor, userId)
    if (target.id === actor.userId)
      throw conflict('You cannot remove yourself: ask another owner or admin')
    assertOwnerRemains(await countOwners(trx, actor.tenantId), target)
    await deleteMember(trx, userId)
  })
}
