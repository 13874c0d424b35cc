import type { RateLimiter, RateLimitRule } from './rate-limiter.ts'

/** One rule counted for one key, e.g. failed sign-ins per client address. */
export interface ThrottleCheck {
  rule: RateLimitRule
  key: string
}

/** What {@link throttleFailures} made of an attempt. */
export type ThrottledOutcome<T> =
  | { blocked: true; retryAfterSec: number /** The smallest limit that blocked. */; limit: number }
  | { blocked: false; value: T | undefined }

/**
 * Runs `attempt` counting only its failures (`undefined`) against every check. A point of each
 * check is taken before the attempt, so many attempts in parallel cannot all pass a check that
 * counted nothing yet, and given back when the attempt succeeds, throws, or is refused: only a
 * failure costs. While any check has `limit` failures in its window the attempt does not run
 * (`blocked`, with the longest wait). Works on any limiter backend, so Redis shares the counts
 * between instances.
 */
export async function throttleFailures<T>(
  limiter: RateLimiter,
  checks: readonly ThrottleCheck[],
  attempt: () => Promise<T | undefined>,
): Promise<ThrottledOutcome<T>> {
  const taken = await Promise.all(checks.map((c) => limiter.consume(c.rule, c.key)))
  const refund = () => refundAll(limiter, checks)
  const blocked = taken.filter((r) => !r.allowed)
  if (blocked.length > 0) {
    await refund()
    return {
      blocked: true,
      retryAfterSec: Math.max(...blocked.map((r) => r.retryAfterSec)),
      limit: Math.min(...blocked.map((r) => r.limit)),
    }
  }
  let value: T | undefined
  try {
    value = await attempt()
  } catch (err) {
    await refund()
    throw err
  }
  if (value !== undefined) await refund()
  return { blocked: false, value }
}

// A refund the store cannot take leaves one point counted: never worth failing the request for.
async function refundAll(limiter: RateLimiter, checks: readonly ThrottleCheck[]): Promise<void> {
  await Promise.allSettled(checks.map((c) => limiter.refund(c.rule, c.key)))
}
