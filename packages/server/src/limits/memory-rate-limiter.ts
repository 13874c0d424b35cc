import type { RateLimiter, RateLimitResult, RateLimitRule } from './rate-limiter.ts'

/** A key's fixed window: requests counted since it opened, and when it closes (ms). */
interface Window {
  count: number
  resetAt: number
}

export interface MemoryRateLimiterOptions {
  /** Clock in ms (tests). */
  now?: () => number
  /** How often windows that closed are forgotten (default 60 s). */
  sweepMs?: number
}

/**
 * In-process limiter: a fixed window per rule and key, opened by the key's first request
 * (rate-limiter-flexible's memory store does the same, and the Redis limiter shares its
 * semantics). Answered synchronously (see {@link RateLimiter.consume}): the library's memory store
 * answers only through promises, and on the embed config route, every page view of every site,
 * those promises cost 5 of 30 µs per request (bench/http.ts). Requests over the limit count too,
 * so a client that keeps hammering stays refused until the window closes.
 */
export function createMemoryRateLimiter(opts: MemoryRateLimiterOptions = {}): RateLimiter {
  const now = opts.now ?? Date.now
  /** Windows per rule id (`bucket:limit:windowSec`), then per key. */
  const rules = new Map<string, Map<string, Window>>()
  let byRule = new WeakMap<RateLimitRule, Map<string, Window>>()
  const windowsOf = (rule: RateLimitRule) => {
    // Rules are mostly constant objects: find their windows without building the id.
    const known = byRule.get(rule)
    if (known !== undefined) return known
    const id = `${rule.bucket}:${rule.limit}:${rule.windowSec}`
    let windows = rules.get(id)
    if (windows === undefined) {
      windows = new Map()
      rules.set(id, windows)
    }
    byRule.set(rule, windows)
    return windows
  }

  const consume = (rule: RateLimitRule, key: string): RateLimitResult => {
    const windows = windowsOf(rule)
    const t = now()
    let w = windows.get(key)
    if (w === undefined || w.resetAt <= t) {
      w = { count: 0, resetAt: t + rule.windowSec * 1000 }
      windows.set(key, w)
    }
    w.count++
    return {
      allowed: w.count <= rule.limit,
      limit: rule.limit,
      remaining: Math.max(0, rule.limit - w.count),
      retryAfterSec: Math.max(1, Math.ceil((w.resetAt - t) / 1000)),
    }
  }

  // Closed windows are forgotten in passing; this bounds the memory of keys never seen again.
  const sweep = setInterval(() => {
    const t = now()
    for (const windows of rules.values()) {
      for (const [key, w] of windows) if (w.resetAt <= t) windows.delete(key)
    }
  }, opts.sweepMs ?? 60_000)
  sweep.unref()

  return {
    consume,
    async refund(rule, key) {
      const w = windowsOf(rule).get(key)
      if (w !== undefined && w.resetAt > now() && w.count > 0) w.count--
    },
    async close() {
      clearInterval(sweep)
      rules.clear()
      byRule = new WeakMap()
    },
  }
}
