import { ALL_SCOPES, isScope, type Scope } from '../auth/scopes.ts'
import { usageError } from './context.ts'

/** `config:read,config:write` → validated, de-duplicated scopes; unknown ones are a usage error. */
export function parseScopeList(raw: string): Scope[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (items.length === 0)
    throw usageError(`--scopes needs at least one of ${ALL_SCOPES.join(', ')}`)
  const unknown = items.filter((s) => !isScope(s))
  if (unknown.length > 0) {
    throw usageError(
      `unknown scope${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (valid: ${ALL_SCOPES.join(', ')})`,
    )
  }
  return [...new Set(items as Scope[])]
}
