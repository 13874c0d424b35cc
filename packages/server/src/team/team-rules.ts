import type { TeamRole } from '@aurion/contract'
import { conflict, roleForbidden } from '../errors.ts'
import { managesTeam } from './roles.ts'

/** The signed-in console user acting on the team. */
export interface TeamActor {
  tenantId: string
  userId: string
  role: string
}

/** Owners and admins manage the team; agents get 403. */
export function assertManagesTeam(actor: TeamActor): void {
  if (!managesTeam(actor.role)) roleDenied(actor, 'the owner or admin role')
}

/** Only an owner makes someone an owner (by invitation or promotion). */
export function assertMayGrant(actor: TeamActor, role: TeamRole): void {
  assertManagesTeam(actor)
  if (role === 'owner' && actor.role !== 'owner') roleDenied(actor, 'the owner role')
}

/** An admin cannot change or remove an owner; only an owner can. */
export function assertMayChange(actor: TeamActor, target: { role: string }): void {
  assertManagesTeam(actor)
  if (target.role === 'owner' && actor.role !== 'owner') roleDenied(actor, 'the owner role')
}

/** A team keeps at least one owner: the last one is neither demoted nor removed. */
export function assertOwnerRemains(owners: number, target: { role: string }): void {
  if (target.role === 'owner' && owners <= 1)
    throw conflict('The team needs at least one owner: make someone else an owner first')
}

function roleDenied(actor: TeamActor, needs: string): never {
  throw roleForbidden(actor.role, needs)
}
