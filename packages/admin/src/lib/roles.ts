import type { TeamRole } from '@aurion/contract'

/** Console routes an agent may open (the inbox, the knowledge base, their own sign-in settings). */
const AGENT_ROUTES = ['/conversations', '/knowledge', '/account']

/** Whether a role may open a console route (the server enforces the same on every call). */
export function canOpen(role: TeamRole | undefined, route: string): boolean {
  const top = `/${route.split('/')[1] ?? ''}`
  if (role === 'owner' || role === 'admin') return true
  return AGENT_ROUTES.includes(top)
}

/** Where a role lands after signing in. */
export function homeRoute(role: TeamRole | undefined): string {
  return role === 'owner' || role === 'admin' ? '/insights' : '/conversations'
}

export const ROLE_LABEL: Record<TeamRole, string> = {
  owner: 'Owner',
  admin: 'Admin',
  agent: 'Agent',
}

export const ROLE_TEXT: Record<TeamRole, string> = {
  owner: 'Everything, including owners and the team',
  admin: 'Everything except owners',
  agent: 'Conversations and knowledge only',
}
