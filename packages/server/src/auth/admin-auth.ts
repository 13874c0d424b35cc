import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { Db } from '../db/schema.ts'
import {
  apiKeyRateLimited,
  invalidApiKey,
  invalidSession,
  missingScope,
  notAuthenticated,
} from '../errors.ts'
import { nowIso } from '../ids.ts'
import type { RateLimiter, RateLimitRule } from '../limits/rate-limiter.ts'
import { findApiKeyByHash, parseScopes } from './api-key-repo.ts'
import { sha256Hex } from './keys.ts'
import { ALL_SCOPES, requiredScope } from './scopes.ts'

/** Who is calling an admin route. Sessions (dashboard users) hold every scope of their tenant. */
export interface AdminPrincipal {
  kind: 'api_key' | 'session'
  tenantId: string
  /** API key id or session id. */
  id: string
  /** Admin user id for sessions. */
  userId?: string
  scopes: string[]
}

declare module 'fastify' {
  interface FastifyRequest {
    admin?: AdminPrincipal
  }
}

/** The contract's global limit: 300 requests/minute per API key. */
export const API_KEY_RATE_LIMIT: RateLimitRule = { bucket: 'api-key', limit: 300, windowSec: 60 }

// last_used_at is written at most once a minute per key: a write per request would cost more
// than the request itself.
const TOUCH_INTERVAL_MS = 60_000

export interface AdminAuthDeps {
  db: Db
  limiter: RateLimiter
}

/**
 * Authenticates `X-API-Key: itsm_sk_…` or `Authorization: Bearer <session token>`, enforces the
 * scope `resource:read|write` by method, and the per-key rate limit (headers on every answer).
 */
export function adminAuth(
  deps: AdminAuthDeps,
  resource: string,
  /** `access` fixes the scope for a read-only POST (e.g. a search taking a JSON body). */
  opts: { access?: 'read' | 'write' } = {},
): onRequestHookHandler {
  const lastTouch = new Map<string, number>()
  return async function adminAuthHook(request: FastifyRequest, reply: FastifyReply) {
    const principal = await authenticate(deps.db, request)
    const rate = await deps.limiter.consume(API_KEY_RATE_LIMIT, `${principal.kind}:${principal.id}`)
    reply.header('X-RateLimit-Limit', rate.limit)
    reply.header('X-RateLimit-Remaining', rate.remaining)
    if (!rate.allowed) throw apiKeyRateLimited(rate.limit, rate.retryAfterSec)
    const scope =
      opts.access !== undefined
        ? `${resource}:${opts.access}`
        : requiredScope(resource, request.method)
    if (!principal.scopes.includes(scope)) throw missingScope(scope)
    request.admin = principal
    if (principal.kind === 'api_key') {
      const now = Date.now()
      if (now - (lastTouch.get(principal.id) ?? 0) > TOUCH_INTERVAL_MS) {
        lastTouch.set(principal.id, now)
        deps.db
          .updateTable('api_keys')
          .set({ last_used_at: nowIso() })
          .where('id', '=', principal.id)
          .execute()
          .catch((err: unknown) => request.log.warn({ err }, 'could not record API key use'))
      }
    }
  }
}

/** Resolves the caller or throws 401. Exported for routes that authenticate without a scope. */
export async function authenticate(db: Db, request: FastifyRequest): Promise<AdminPrincipal> {
  const apiKey = headerValue(request.headers['x-api-key'])
  if (apiKey !== undefined) {
    const row = await findApiKeyByHash(db, sha256Hex(apiKey))
    if (!row || row.revoked_at !== null) throw invalidApiKey()
    return { kind: 'api_key', tenantId: row.tenant_id, id: row.id, scopes: parseScopes(row) }
  }
  const authz = headerValue(request.headers.authorization)
  if (authz !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(authz)
    if (!m) throw notAuthenticated()
    const token = m[1]!
    // An API key sent as a bearer token is accepted too: clients often do that.
    if (token.startsWith('itsm_sk_')) {
      const row = await findApiKeyByHash(db, sha256Hex(token))
      if (!row || row.revoked_at !== null) throw invalidApiKey()
      return { kind: 'api_key', tenantId: row.tenant_id, id: row.id, scopes: parseScopes(row) }
    }
    const session = await db
      .selectFrom('admin_sessions')
      .selectAll()
      .where('token_hash', '=', sha256Hex(token))
      .executeTakeFirst()
    if (!session || session.revoked_at !== null || session.expires_at <= nowIso())
      throw invalidSession()
    return {
      kind: 'session',
      tenantId: session.tenant_id,
      id: session.id,
      userId: session.user_id,
      scopes: [...ALL_SCOPES],
    }
  }
  throw notAuthenticated()
}

function headerValue(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v
  return s === undefined || s.trim() === '' ? undefined : s.trim()
}
