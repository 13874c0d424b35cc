import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import { apiKeyRateLimited, sessionRequired } from '../errors.ts'
import type { TeamActor } from '../team/team-rules.ts'
import { type AdminAuthDeps, API_KEY_RATE_LIMIT, authenticate } from './admin-auth.ts'

/**
 * Authenticates a console session (Bearer token or the cookie with its CSRF token on writes)
 * for routes that act as a person (the team, their own availability): an API key gets 403
 * session_required. The same 300 requests/minute per session as every admin route.
 */
export function consoleSessionAuth(deps: AdminAuthDeps): onRequestHookHandler {
  return async function consoleSessionHook(request: FastifyRequest, reply: FastifyReply) {
    const principal = await authenticate(deps, request)
    if (principal.kind !== 'session' || principal.userId === undefined) throw sessionRequired()
    const rate = await deps.limiter.consume(API_KEY_RATE_LIMIT, `session:${principal.id}`)
    reply.header('X-RateLimit-Limit', rate.limit)
    reply.header('X-RateLimit-Remaining', rate.remaining)
    if (!rate.allowed) throw apiKeyRateLimited(rate.limit, rate.retryAfterSec)
    request.admin = principal
  }
}

/** The signed-in person of a request that passed {@link consoleSessionAuth}. */
export function actorOf(request: FastifyRequest): TeamActor {
  const p = request.admin
  if (!p || p.userId === undefined) throw sessionRequired()
  return { tenantId: p.tenantId, userId: p.userId, role: p.role ?? 'agent' }
}
