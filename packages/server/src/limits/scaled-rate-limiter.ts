import type { RateLimiter } from './rate-limiter.ts'

/**
 * `limiter` with every rule's limit multiplied by `factor` (at least 1 request per window), for
 * `AURION_RATE_LIMIT_MULTIPLIER`: load tests and benchmarks from one address, or sites whose
 * visitors share a few NAT addresses. A factor of 1 returns `limiter` itself.
 */
export function scaleRateLimits(limiter: RateLimiter, factor: number): RateLimiter {
  if (factor === 1) return limiter
  return {
    consume: (rule, key) =>
      limiter.consume({ ...rule, limit: Math.max(1, Math.round(rule.limit * factor)) }, key),
    ...(limiter.ping ? { ping: () => limiter.ping!() } : {}),
    close: () => limiter.close(),
  }
}
