import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'
import type { RateLimiter, RateLimitResult, RateLimitRule } from './rate-limiter.ts'

/** In-process limiter (rate-limiter-flexible's memory store), one counter set per rule. */
export function createMemoryRateLimiter(): RateLimiter {
  const limiters = new Map<string, RateLimiterMemory>()
  let byRule = new WeakMap<RateLimitRule, RateLimiterMemory>()
  const forRule = (rule: RateLimitRule) => {
    // Rules are mostly constant objects: find their limiter without building its id.
    const known = byRule.get(rule)
    if (known !== undefined) return known
    const id = `${rule.bucket}:${rule.limit}:${rule.windowSec}`
    let l = limiters.get(id)
    if (!l) {
      l = new RateLimiterMemory({
        keyPrefix: rule.bucket,
        points: rule.limit,
        duration: rule.windowSec,
      })
      limiters.set(id, l)
    }
    byRule.set(rule, l)
    return l
  }
  return {
    consume(rule, key): Promise<RateLimitResult> {
      // One promise, not two: this runs for nearly every public request.
      return forRule(rule)
        .consume(key)
        .then(
          (res) => toResult(rule, res, true),
          (err: unknown) => {
            if (err instanceof RateLimiterRes) return toResult(rule, err, false)
            throw err
          },
        )
    },
    async close() {
      limiters.clear()
      byRule = new WeakMap()
    },
  }
}

/** Shared by every store: rate-limiter-flexible rejects with a RateLimiterRes when over the limit. */
export function toResult(
  rule: RateLimitRule,
  res: RateLimiterRes,
  allowed: boolean,
): RateLimitResult {
  return {
    allowed,
    limit: rule.limit,
    remaining: Math.max(0, res.remainingPoints),
    retryAfterSec: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  }
}
