import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { internalApiDisabled, invalidInternalToken, rateLimited } from '../errors.ts'
import type { RateLimiter } from '../limits/rate-limiter.ts'

/** Failed authentications allowed per client address and minute before answering 429. */
export const INTERNAL_AUTH_FAILURES_PER_MINUTE = 20

/**
 * Whether `presented` equals `expected`, in time independent of where they differ and of the
 * presented length: both are hashed to 32 bytes first, then compared with `timingSafeEqual`.
 */
export function internalTokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest()
  const b = createHash('sha256').update(expected, 'utf8').digest()
  return timingSafeEqual(a, b)
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
  return m?.[1]
}

/**
 * preHandler of every `/internal/*` route: the internal API answers only the voice agent
 * worker, which presents the shared `AURION_INTERNAL_TOKEN`. Without a configured token the API
 * is off (503). Failed attempts are counted per client address; past the limit they get 429.
 */
export function requireInternalToken(token: string | undefined, limiter: RateLimiter) {
  return async (request: FastifyRequest): Promise<void> => {
    if (token === undefined) throw internalApiDisabled()
    const presented = bearerToken(request.headers.authorization)
    if (presented !== undefined && internalTokenMatches(presented, token)) return
    const rule = {
      bucket: 'internal-auth-failure',
      limit: INTERNAL_AUTH_FAILURES_PER_MINUTE,
      windowSec: 60,
    }
    const r = await limiter.consume(rule, request.ip)
    if (!r.allowed) throw rateLimited(r.limit, r.retryAfterSec)
    throw invalidInternalToken()
  }
}
