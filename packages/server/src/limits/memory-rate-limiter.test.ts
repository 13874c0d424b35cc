import { afterEach, describe, expect, it } from 'vitest'
import { createMemoryRateLimiter } from './memory-rate-limiter.ts'
import type { RateLimiter } from './rate-limiter.ts'
import { scaleRateLimits } from './scaled-rate-limiter.ts'

const rule = { bucket: 'b', limit: 3, windowSec: 60 }

describe('createMemoryRateLimiter', () => {
  let now = 1_000_000
  let limiter: RateLimiter
  const take = (key: string, r = rule) => limiter.consumeSync!(r, key)
  afterEach(async () => limiter.close())

  it('allows `limit` requests per window and key, then refuses until the window closes', () => {
    limiter = createMemoryRateLimiter({ now: () => now })
    expect([take('ip'), take('ip'), take('ip')]).toEqual([
      { allowed: true, limit: 3, remaining: 2, retryAfterSec: 60 },
      { allowed: true, limit: 3, remaining: 1, retryAfterSec: 60 },
      { allowed: true, limit: 3, remaining: 0, retryAfterSec: 60 },
    ])
    now += 59_001
    expect(take('ip')).toEqual({ allowed: false, limit: 3, remaining: 0, retryAfterSec: 1 })
    // Another key has its own window.
    expect(take('other')).toMatchObject({ allowed: true, remaining: 2, retryAfterSec: 60 })
    // The window opened by the first request closes 60 s after it, not after the last one.
    now += 999
    expect(take('ip')).toMatchObject({ allowed: true, remaining: 2, retryAfterSec: 60 })
  })

  it('counts refused requests too: a client that keeps hammering stays refused', () => {
    limiter = createMemoryRateLimiter({ now: () => now })
    for (let i = 0; i < 3; i++) take('ip')
    for (let s = 0; s < 59; s++) {
      now += 1000
      expect(take('ip').allowed).toBe(false)
    }
    now += 1000
    expect(take('ip').allowed).toBe(true)
  })

  it('keeps rules apart: buckets, and limits of the same bucket', async () => {
    limiter = createMemoryRateLimiter({ now: () => now })
    for (let i = 0; i < 3; i++) take('ip')
    expect(take('ip', { ...rule, bucket: 'c' }).remaining).toBe(2)
    expect(take('ip', { ...rule, limit: 10 }).remaining).toBe(9)
    // An equal rule object counts with the first one.
    expect(take('ip', { ...rule }).allowed).toBe(false)
    // The promise-based consume shares the counters.
    expect(await limiter.consume(rule, 'ip')).toMatchObject({ allowed: false, remaining: 0 })
    expect((await limiter.consume(rule, 'new')).remaining).toBe(2)
  })

  it('sweeps only closed windows: an open one keeps its count', async () => {
    limiter = createMemoryRateLimiter({ now: () => now, sweepMs: 5 })
    for (let i = 0; i < 4; i++) take('ip')
    take('gone')
    now += 30_000
    await new Promise((r) => setTimeout(r, 20))
    expect(take('ip').allowed).toBe(false)
    now += 30_000
    await new Promise((r) => setTimeout(r, 20))
    expect(take('ip')).toMatchObject({ allowed: true, remaining: 2 })
    expect(take('gone')).toMatchObject({ allowed: true, remaining: 2 })
  })

  it('passes consumeSync through a scaled limiter', () => {
    limiter = createMemoryRateLimiter({ now: () => now })
    const scaled = scaleRateLimits(limiter, 2)
    expect(scaled.consumeSync?.(rule, 'ip')).toMatchObject({
      allowed: true,
      limit: 6,
      remaining: 5,
    })
  })
})
