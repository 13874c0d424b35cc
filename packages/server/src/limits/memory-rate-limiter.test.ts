import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryRateLimiter } from './memory-rate-limiter.ts'
import { rateLimiterContract } from './rate-limiter.contract.ts'
import type { RateLimiter, RateLimitResult, RateLimitRule } from './rate-limiter.ts'
import { scaleRateLimits } from './scaled-rate-limiter.ts'

rateLimiterContract('in-process limiter', async () => {
  let now = 1_000_000
  return { limiter: createMemoryRateLimiter({ now: () => now }), advance: (ms) => (now += ms) }
})

const rule = { bucket: 'b', limit: 3, windowSec: 60 }

describe('createMemoryRateLimiter', () => {
  let now = 1_000_000
  let limiter: RateLimiter
  /** The in-process limiter answers synchronously, never with a promise. */
  const takeFrom = (l: RateLimiter, r: RateLimitRule, key: string): RateLimitResult => {
    const consumed = l.consume(r, key)
    if (consumed instanceof Promise) throw new Error('answered with a promise')
    return consumed
  }
  const take = (key: string, r = rule) => takeFrom(limiter, r, key)
  afterEach(async () => {
    vi.useRealTimers()
    await limiter.close()
  })

  it('answers at once; the window opened by the first request closes `windowSec` after it', () => {
    limiter = createMemoryRateLimiter({ now: () => now })
    expect([take('ip'), take('ip'), take('ip')]).toEqual([
      { allowed: true, limit: 3, remaining: 2, retryAfterSec: 60 },
      { allowed: true, limit: 3, remaining: 1, retryAfterSec: 60 },
      { allowed: true, limit: 3, remaining: 0, retryAfterSec: 60 },
    ])
    now += 59_001
    expect(take('ip')).toEqual({ allowed: false, limit: 3, remaining: 0, retryAfterSec: 1 })
    // Not after the last request: 60 s after the first.
    now += 999
    expect(take('ip')).toMatchObject({ allowed: true, remaining: 2, retryAfterSec: 60 })
  })

  it('gives the same counters whether its answer is taken at once or awaited', async () => {
    limiter = createMemoryRateLimiter({ now: () => now })
    take('ip')
    expect(await limiter.consume(rule, 'ip')).toMatchObject({ allowed: true, remaining: 1 })
    expect(take('ip')).toMatchObject({ allowed: true, remaining: 0 })
  })

  it('sweeps only closed windows: an open one keeps its count', () => {
    vi.useFakeTimers()
    limiter = createMemoryRateLimiter({ now: () => now, sweepMs: 5 })
    for (let i = 0; i < 4; i++) take('ip')
    take('gone')
    now += 30_000
    vi.advanceTimersByTime(5)
    expect(take('ip').allowed).toBe(false)
    now += 30_000
    vi.advanceTimersByTime(5)
    expect(take('ip')).toMatchObject({ allowed: true, remaining: 2 })
    expect(take('gone')).toMatchObject({ allowed: true, remaining: 2 })
  })

  it('refund gives back a point of the open window, never below zero, never to a closed one', async () => {
    limiter = createMemoryRateLimiter({ now: () => now })
    for (let i = 0; i < 3; i++) take('ip')
    await limiter.refund(rule, 'ip')
    expect(take('ip')).toMatchObject({ allowed: true, remaining: 0 })
    expect(take('ip').allowed).toBe(false)
    // Unknown keys and empty windows stay at zero: refunds cannot bank extra attempts.
    await limiter.refund(rule, 'never-seen')
    await limiter.refund(rule, 'never-seen')
    expect(take('never-seen').remaining).toBe(2)
    await limiter.refund(rule, 'never-seen')
    await limiter.refund(rule, 'never-seen')
    expect(take('never-seen').remaining).toBe(2)
    now += 60_000
    await limiter.refund(rule, 'ip')
    expect(take('ip')).toMatchObject({ allowed: true, remaining: 2 })
  })

  it('answers synchronously through a scaled limiter', () => {
    limiter = createMemoryRateLimiter({ now: () => now })
    const scaled = scaleRateLimits(limiter, 2)
    expect(takeFrom(scaled, rule, 'ip')).toMatchObject({
      allowed: true,
      limit: 6,
      remaining: 5,
    })
  })
})
