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
 * Rate-limit backend. The in-memory one serves a single process; the Redis one is shared by
 * every instance. Routes never know which one they got.
 */
export interface RateLimiter {
  consume(rule: RateLimitRule, key: string): Promise<RateLimitResult>
  /**
   * The same, answered at once: in-process limiters only (a networked store has none). Hot
   * paths use it when it is there; a promise per request costs more than the counting.
   */
  consumeSync?(rule: RateLimitRule, key: string): RateLimitResult
  /** Readiness probe of a networked store; rejects when it is unreachable. */
  ping?(): Promise<void>
  close(): Promise<void>
}
