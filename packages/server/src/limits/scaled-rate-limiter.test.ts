import { describe, expect, it } from 'vitest'
import { createMemoryRateLimiter } from './memory-rate-limiter.ts'
import type { RateLimiter } from './rate-limiter.ts'
import { scaleRateLimits } from './scaled-rate-limiter.ts'

const rule = { bucket: 'b', limit: 3, windowSec: 60 }

async function allowedCount(limiter: RateLimiter, key: string, attempts: number) {
  let n = 0
  for (let i = 0; i < attempts; i++) if ((await limiter.consume(rule, key)).allowed) n++
  return n
}

describe('scaleRateLimits', () => {
  it('returns the limiter itself for a factor of 1', () => {
    const base = createMemoryRateLimiter()
    expect(scaleRateLimits(base, 1)).toBe(base)
  })

  it('multiplies every limit and reports the scaled limit', async () => {
    const limiter = scaleRateLimits(createMemoryRateLimiter(), 10)
    expect(await allowedCount(limiter, 'ip', 40)).toBe(30)
    const r = await limiter.consume(rule, 'ip')
    expect(r).toMatchObject({ allowed: false, limit: 30, remaining: 0 })
    // Keys still count separately.
    expect((await limiter.consume(rule, 'other')).remaining).toBe(29)
  })

  it('never drops a limit below one request per window', async () => {
    const limiter = scaleRateLimits(createMemoryRateLimiter(), 0.01)
    expect(await allowedCount(limiter, 'ip', 5)).toBe(1)
  })

  it('passes refund (with the scaled rule), ping and close through', async () => {
    const calls: string[] = []
    const base: RateLimiter = {
      consume: async (r) => ({ allowed: true, limit: r.limit, remaining: 0, retryAfterSec: 1 }),
      refund: async (r, key) => {
        calls.push(`refund ${r.limit} ${key}`)
      },
      ping: async () => {
        calls.push('ping')
      },
      close: async () => {
        calls.push('close')
      },
    }
    const limiter = scaleRateLimits(base, 2)
    await limiter.refund(rule, 'k')
    await limiter.ping?.()
    await limiter.close()
    expect(calls).toEqual(['refund 6 k', 'ping', 'close'])
    expect((await limiter.consume(rule, 'k')).limit).toBe(6)
  })
})
