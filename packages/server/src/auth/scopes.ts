import { API_KEY_SCOPES, type ApiKeyScope } from '@aurion/contract'

/** Every scope an API key can hold. `resource:read` / `resource:write`. */
export const ALL_SCOPES = API_KEY_SCOPES
export type Scope = ApiKeyScope

export function isScope(s: string): s is Scope {
  return (ALL_SCOPES as readonly string[]).includes(s)
}

/** The contract's rule: GET/HEAD need `resource:read`, every other method `resource:write`. */
export function requiredScope(resource: string, method: string): string {
  const m = method.toUpperCase()
  return `${resource}:${m === 'GET' || m === 'HEAD' ? 'read' : 'write'}`
}
