import { describe, expect, it } from 'vitest'
import { claimValues, emailDomain, mapRole, normalizeDomain } from './role-mapping.ts'

const RULES = [
  { value: 'support', role: 'agent' as const },
  { value: 'it-admins', role: 'admin' as const },
  { value: 'founders', role: 'owner' as const },
]

describe('single sign-on role mapping', () => {
  it('gives the highest role among the matching rules', () => {
    expect(mapRole(['support', 'it-admins'], RULES, null)).toEqual({ role: 'admin', matched: true })
    expect(mapRole(['founders', 'support'], RULES, 'agent')).toEqual({
      role: 'owner',
      matched: true,
    })
    expect(mapRole('support', RULES, null)).toEqual({ role: 'agent', matched: true })
  })

  it('falls back to the default role, or none, when no rule matches', () => {
    expect(mapRole(['sales'], RULES, 'agent')).toEqual({ role: 'agent', matched: false })
    expect(mapRole(undefined, RULES, null)).toEqual({ role: null, matched: false })
    // Values are compared exactly: no case folding, no substrings.
    expect(mapRole(['Support', 'it-admins-2'], RULES, null)).toEqual({
      role: null,
      matched: false,
    })
  })

  it('reads only string values of a claim', () => {
    expect(claimValues(['a', 1, null, 'b'])).toEqual(['a', 'b'])
    expect(claimValues({ a: 'support' })).toEqual([])
    expect(mapRole({ founders: true }, RULES, null).role).toBeNull()
  })

  it('takes the domain of an address and checks domains', () => {
    expect(emailDomain('Ada@Sub.Acme.COM')).toBe('sub.acme.com')
    expect(emailDomain('no-at-sign')).toBeUndefined()
    expect(emailDomain('trailing@')).toBeUndefined()
    expect(normalizeDomain(' @Acme.com ')).toBe('acme.com')
    expect(normalizeDomain('acme')).toBeUndefined()
    expect(normalizeDomain('acme.com/evil')).toBeUndefined()
    expect(normalizeDomain('-acme.com')).toBeUndefined()
  })
})
