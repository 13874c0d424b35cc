import { TEAM_ROLES, type TeamRole } from '@aurion/contract'
import { ALL_SCOPES } from '../auth/scopes.ts'

export function isTeamRole(s: string): s is TeamRole {
  return (TEAM_ROLES as readonly string[]).includes(s)
}

/**
 * Resources only owners and admins reach: configuration, the audit log, visitor data
 * erasure/export, Help Center changes, webhooks (where conversations are sent out of Aurion).
 */
const ADMIN_ONLY_RESOURCES = ['config:', 'audit:', 'privacy:', 'help-center:write', 'webhooks:']

/**
 * The scopes a console session holds by its user's role: owners and admins every scope, agents
 * every scope except `config:*` (API keys, widget configuration, embed settings), `audit:*`,
 * `privacy:*`, `help-center:write` (agents may read the Help Center's settings) and `webhooks:*`.
 * New resources are open to agents unless they are listed above.
 */
export function scopesForRole(role: string): string[] {
  if (role === 'owner' || role === 'admin') return [...ALL_SCOPES]
  return ALL_SCOPES.filter((s) => !ADMIN_ONLY_RESOURCES.some((r) => s.startsWith(r)))
}

/** Whether the role manages the team (members, roles, invitations). */
export function managesTeam(role: string): boolean {
  return role === 'owner' || role === 'admin'
}
