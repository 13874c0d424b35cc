import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import { findLiveAdminSessionByToken, touchAdminSession } from '../admin-users/session-repo.ts'
import type { Db } from '../db/schema.ts'
import {
  apiKeyRateLimited,
  invalidApiKey,
  invalidSession,
  missingScope,
  notAuthenticated,
  rateLimited,
  roleForbidden,
} from '../errors.ts'
import { nowIso } from '../ids.ts'
import { throttleFailures } from '../limits/failure-throttle.ts'
import type { RateLimiter, RateLimitRule } from '../limits/rate-limiter.ts'
import { scopesForRole } from '../team/roles.ts'
import { findApiKeyByHash, parseScopes, touchApiKey } from './api-key-repo.ts'
import { sha256Hex } from './keys.ts'
import { requiredScope } from './scopes.ts'
import { assertCookieRequestAllowed, csrfTokenFor, readSessionCookie } from './session-cookie.ts'

/**
 * Who is calling an admin route. API keys hold the scopes they were given; sessions (console
 * users) the scopes of their role (agents: no `config:*`).
 */
export interface AdminPrincipal {
  kind: 'api_key' | 'session'
  tenantId: string
  /** API key id or session id. */
  id: string
  /** Admin user id for sessions. */
  userId?: string
  /** Sessions: the user's role (`owner`, `admin`, `agent`). */
  role?: string
  scopes: string[]
  /** Sessions: the token the console sends as `X-CSRF-Token` on writes made with the cookie. */
  csrfToken?: string
}

declare module 'fastify' {
  interface FastifyRequest {
    admin?: AdminPrincipal
  }
}

/** The contract's global limit: 300 requests/minute per API key. */
export const API_KEY_RATE_LIMIT: RateLimitRule = { bucket: 'api-key', limit: 300, windowSec: 60 }

/**
 * Wrong or revoked API keys per client address: past this many in the window, every API-key
 * request from that address is answered 429 without its key being looked at. Only failures
 * count, so a busy integration never trips it, and other addresses are never affected.
 */
export const API_KEY_FAILURE_LIMIT: RateLimitRule = {
  bucket: 'api-key-failure',
  limit: 20,
  windowSec: 300,
}

// last_used_at is written at most once a minute per key: a write per request would cost more
// than the request itself.
const TOUCH_INTERVAL_MS = 60_000

export interface AdminAuthDeps {
  db: Db
  limiter: RateLimiter
}

/**
 * Authenticates `X-API-Key: itsm_sk_…`, `Authorization: Bearer <session token>` or the console's
 * session cookie (writes with it need the CSRF token), enforces the
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
    const principal = await authenticate(deps, request)
    const rate = await deps.limiter.consume(API_KEY_RATE_LIMIT, `${principal.kind}:${principal.id}`)
    reply.header('X-RateLimit-Limit', rate.limit)
    reply.header('X-RateLimit-Remaining', rate.remaining)
    if (!rate.allowed) throw apiKeyRateLimited(rate.limit, rate.retryAfterSec)
    const scope =
      opts.access !== undefined
        ? `${resource}:${opts.access}`
        : requiredScope(resource, request.method)
    if (!principal.scopes.includes(scope)) {
      throw principal.kind === 'session'
        ? roleForbidden(principal.role ?? 'agent', scope)
        : missingScope(scope)
    }
    request.admin = principal
    if (principal.kind === 'api_key') {
      const now = Date.now()
      if (now - (lastTouch.get(principal.id) ?? 0) > TOUCH_INTERVAL_MS) {
        lastTouch.set(principal.id, now)
        touchApiKey(deps.db, principal.id, nowIso()).catch((err: unknown) =>
          request.log.warn({ err }, 'could not record API key use'),
        )
      }
    }
  }
}

/**
 * Resolves the caller or throws 401 (403 for a cookie write without its CSRF token; 429 while
 * the client address is throttled for wrong API keys). Exported for routes that authenticate
 * without a scope.
 */
export async function authenticate(
  deps: AdminAuthDeps,
  request: FastifyRequest,
): Promise<AdminPrincipal> {
  const apiKey = headerValue(request.headers['x-api-key'])
  if (apiKey !== undefined) return apiKeyPrincipal(deps, request, apiKey)
  const authz = headerValue(request.headers.authorization)
  if (authz !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(authz)
    if (!m) throw notAuthenticated()
    const token = m[1]!
    // An API key sent as a bearer token is accepted too: clients often do that.
    if (token.startsWith('itsm_sk_')) return apiKeyPrincipal(deps, request, token)
    return sessionPrincipal(deps.db, request, token)
  }
  // The console's cookie, only when no header names a credential: a header is never CSRF.
  const cookieToken = readSessionCookie(request)
  if (cookieToken !== undefined) {
    assertCookieRequestAllowed(request, cookieToken)
    return sessionPrincipal(deps.db, request, cookieToken)
  }
  throw notAuthenticated()
}

/** An API key's principal; a wrong or revoked key counts against the client address. */
async function apiKeyPrincipal(
  deps: AdminAuthDeps,
  request: FastifyRequest,
  key: string,
): Promise<AdminPrincipal> {
  const outcome = await throttleFailures(
    deps.limiter,
    [{ rule: API_KEY_FAILURE_LIMIT, key: request.ip }],
    async () => {
      const row = await findApiKeyByHash(deps.db, sha256Hex(key))
      return row && row.revoked_at === null ? row : undefined
    },
  )
  if (outcome.blocked) throw rateLimited(outcome.limit, outcome.retryAfterSec)
  const row = outcome.value
  if (!row) throw invalidApiKey()
  return { kind: 'api_key', tenantId: row.tenant_id, id: row.id, scopes: parseScopes(row) }
}

/**
 * A session's principal. Read from the database on every request (no cache), so a revoked
 * session is refused at once on every instance. Its `last_seen_at` moves at most once a minute.
 */
async function sessionPrincipal(
  db: Db,
  request: FastifyRequest,
  token: string,
): Promise<AdminPrincipal> {
  const session = await findLiveAdminSessionByToken(db, token)
  if (!session) throw invalidSession()
  const now = Date.now()
  const seen = session.last_seen_at === null ? 0 : Date.parse(session.last_seen_at)
  if (now - seen > TOUCH_INTERVAL_MS) {
    // Awaited (once a minute per session): the list of sessions a request later shows it.
    await touchAdminSession(db, session.id, new Date(now).toISOString()).catch((err: unknown) =>
      request.log.warn({ err }, 'could not record console session use'),
    )
  }
  return {
    kind: 'session',
    tenantId: session.tenant_id,
    id: session.id,
    userId: session.user_id,
    role: session.role,
    scopes: scopesForRole(session.role),
    csrfToken: csrfTokenFor(token),
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v
  return s === undefined || s.trim() === '' ? undefined : s.trim()
}
