/** Outcome of consuming one point from a fixed-window bucket. */
export interface RateLimitResult {
  allowed: boolean
  limit: number
  remaining: number
  /** Seconds until the window resets (≥ 1). */
  retryAfterSec: number
}

/** A rule: `limit` requests per `windowSec` seconds, counted per key within a named bucket. */
export interface RateLimitRule {
  bucket: string
  limit: number
  windowSec: number
}

/**
 * What {@link RateLimiter.consume} answers: the result itself from an in-process limiter, a
 * promise of it from a networked store.
 */
export type Consumed = RateLimitResult | Promise<RateLimitResult>

/**
 * Rate-limit backend. The in-memory one serves a single process; the Redis one is shared by
 * every instance. Routes never know which one they got.
 */
export interface RateLimiter {
  /**
   * Counts one request of `key` under `rule`. In-process limiters answer at once (on the hottest
   * routes a promise per request costs more than the counting), networked stores with a promise.
   * It never throws: a store failure is a rejected promise. `await` it, or hand it to
   * {@link whenConsumed} where the synchronous answer matters.
   */
  consume(rule: RateLimitRule, key: string): Consumed
  /**
   * Gives back one point consumed in the key's current window (never below zero; nothing when
   * the window has closed): a throttle that counts only failures consumes before the attempt
   * and refunds the attempts that succeeded, so concurrent attempts cannot outrun the limit.
   */
  refund(rule: RateLimitRule, key: string): Promise<void>
  /** Readiness probe of a networked store; rejects when it is unreachable. */
  ping?(): Promise<void>
  close(): Promise<void>
}

/**
 * Goes on with a {@link RateLimiter.consume} outcome: at once when the limiter answered at once
 * (no promise, no extra turn), else when its promise settles. A store failure goes to `fail`, or
 * rejects the returned promise when there is none. `arg` is handed to both: hot callers pass
 * what they need through it to functions made once, not closures made per request (on the embed
 * config answer those closures and the calls through them cost about a fifth of its CPU;
 * docs/performance.md).
 */
export function whenConsumed<T, A = undefined>(
  consumed: Consumed,
  next: (result: RateLimitResult, arg: A) => T,
  fail?: (err: unknown, arg: A) => T,
  arg?: A,
): T | Promise<T> {
  if (!(consumed instanceof Promise)) return next(consumed, arg as A)
  return consumed.then((r) => next(r, arg as A), fail && ((err: unknown) => fail(err, arg as A)))
}
