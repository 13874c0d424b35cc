import { afterEach, describe, expect, it } from 'vitest'
import { eventually } from '../../test-support/redis.ts'
import type { RateLimiter, RateLimitRule } from './rate-limiter.ts'

/** A limiter under test, and a way to let time pass for it when its clock is the test's. */
export interface LimiterUnderTest {
  limiter: RateLimiter
  /** Moves the limiter's clock on; absent for a limiter on real time (a networked store). */
  advance?(ms: number): void
}

/**
 * What every {@link RateLimiter} promises, whatever its store: run by each implementation's test
 * file with a factory of fresh limiters (each test uses its own keys and buckets).
 */
export function rateLimiterContract(name: string, make: () => Promise<LimiterUnderTest>): void {
  describe(`${name}: the RateLimiter contract`, () => {
    const open: RateLimiter[] = []
    const fresh = async () => {
      const made = await make()
      open.push(made.limiter)
      return made
    }
    afterEach(async () => {
      await Promise.all(open.splice(0).map((l) => l.close()))
    })

    it('allows `limit` requests per key and window, then refuses with when to retry', async () => {
      const { limiter } = await fresh()
      const rule: RateLimitRule = { bucket: 'basic', limit: 3, windowSec: 60 }
      const seen = []
      for (let i = 0; i < 4; i++) seen.push(await limiter.consume(rule, 'ip'))
      expect(seen.map((r) => [r.allowed, r.limit, r.remaining])).toEqual([
        [true, 3, 2],
        [true, 3, 1],
        [true, 3, 0],
        [false, 3, 0],
      ])
      for (const r of seen) {
        expect(r.retryAfterSec).toBeGreaterThanOrEqual(1)
        expect(r.retryAfterSec).toBeLessThanOrEqual(60)
      }
    })

    it('keeps keys, buckets and limits apart; an equal rule counts with the first', async () => {
      const { limiter } = await fresh()
      const rule: RateLimitRule = { bucket: 'apart', limit: 1, windowSec: 60 }
      expect((await limiter.consume(rule, 'x')).allowed).toBe(true)
      expect((await limiter.consume(rule, 'x')).allowed).toBe(false)
      expect((await limiter.consume(rule, 'y')).allowed).toBe(true)
      expect((await limiter.consume({ ...rule, bucket: 'apart2' }, 'x')).allowed).toBe(true)
      expect(await limiter.consume({ ...rule, limit: 5 }, 'x')).toMatchObject({
        allowed: true,
        remaining: 4,
      })
      expect((await limiter.consume({ ...rule }, 'x')).allowed).toBe(false)
    })

    it('counts refused requests too: a client that keeps hammering stays refused', async () => {
      const { limiter } = await fresh()
      const rule: RateLimitRule = { bucket: 'hammer', limit: 2, windowSec: 60 }
      const results = []
      for (let i = 0; i < 10; i++) results.push(await limiter.consume(rule, 'ip'))
      expect(results.map((r) => r.allowed)).toEqual([
        true,
        true,
        ...Array.from({ length: 8 }, () => false),
      ])
      expect(results.every((r) => r.remaining >= 0)).toBe(true)
    })

    it('is exact under concurrency: exactly `limit` of many parallel requests pass', async () => {
      const { limiter } = await fresh()
      const rule: RateLimitRule = { bucket: 'race', limit: 25, windowSec: 60 }
      const results = await Promise.all(
        Array.from({ length: 80 }, () => limiter.consume(rule, 'hot')),
      )
      expect(results.filter((r) => r.allowed)).toHaveLength(25)
      expect(results.filter((r) => !r.allowed)).toHaveLength(55)
    })

    it('opens a fresh window once the first one has closed', async () => {
      const { limiter, advance } = await fresh()
      const rule: RateLimitRule = { bucket: 'window', limit: 2, windowSec: 1 }
      await limiter.consume(rule, 'ip')
      await limiter.consume(rule, 'ip')
      expect(await limiter.consume(rule, 'ip')).toMatchObject({ allowed: false, retryAfterSec: 1 })
      advance?.(1000)
      // On real time: refused until the window closes (each refusal counts in the old window).
      const next = await eventually(
        async () => {
          const r = await limiter.consume(rule, 'ip')
          if (!r.allowed) throw new Error('still refused')
          return r
        },
        { timeoutMs: 5000, intervalMs: 100 },
      )
      expect(next).toMatchObject({ allowed: true, limit: 2, remaining: 1 })
    })
  })
}
