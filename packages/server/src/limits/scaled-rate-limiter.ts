import type { RateLimiter, RateLimitRule } from './rate-limiter.ts'

/**
 * `limiter` with every rule's limit multiplied by `factor` (at least 1 request per window), for
 * `AURION_RATE_LIMIT_MULTIPLIER`: load tests and benchmarks from one address, or sites whose
 * visitors share a few NAT addresses. A factor of 1 returns `limiter` itself.
 */
export function scaleRateLimits(limiter: RateLimiter, factor: number): RateLimiter {
  if (factor === 1) return limiter
  // Rules are constants (PUBLIC_LIMITS…): scale each once.
  const scaled = new WeakMap<RateLimitRule, RateLimitRule>()
  const scale = (rule: RateLimitRule) => {
    let s = scaled.get(rule)
    if (s === undefined) {
      s = { ...rule, limit: Math.max(1, Math.round(rule.limit * factor)) }
      scaled.set(rule, s)
    }
    return s
  }
  return {
    consume: (rule, key) => limiter.consume(scale(rule), key),
    refund: (rule, key) => limiter.refund(scale(rule), key),
    ...(limiter.ping ? { ping: () => limiter.ping!() } : {}),
    close: () => limiter.close(),
  }
}
