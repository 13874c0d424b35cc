import type { SsoRoleMapping, TeamRole } from '@aurion/contract'

const RANK: Record<TeamRole, number> = { agent: 1, admin: 2, owner: 3 }

/** The values of a claim as strings: an array's strings, a string, or nothing. */
export function claimValues(claim: unknown): string[] {
  if (typeof claim === 'string') return [claim]
  if (Array.isArray(claim)) return claim.filter((v): v is string => typeof v === 'string')
  return []
}

/**
 * The role a provider's user gets: the highest role of the rules whose value the claim holds
 * (`matched: true`), else the default role (`matched: false`; null when there is none).
 */
export function mapRole(
  claim: unknown,
  mappings: readonly SsoRoleMapping[],
  defaultRole: TeamRole | null,
): { role: TeamRole | null; matched: boolean } {
  const values = new Set(claimValues(claim))
  let best: TeamRole | null = null
  for (const m of mappings) {
    if (values.has(m.value) && (best === null || RANK[m.role] > RANK[best])) best = m.role
  }
  return best === null ? { role: defaultRole, matched: false } : { role: best, matched: true }
}

/** `Ada@Sub.Acme.COM` → `sub.acme.com`; undefined for something that is not an address. */
export function emailDomain(email: string): string | undefined {
  const at = email.lastIndexOf('@')
  if (at < 1 || at === email.length - 1) return undefined
  return email
    .slice(at + 1)
    .trim()
    .toLowerCase()
}

const DOMAIN_RE = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/

/** A domain as stored: trimmed, lower-cased, without a leading `@`; undefined when not a domain. */
export function normalizeDomain(raw: string): string | undefined {
  const d = raw.trim().toLowerCase().replace(/^@/, '')
  return DOMAIN_RE.test(d) ? d : undefined
}
