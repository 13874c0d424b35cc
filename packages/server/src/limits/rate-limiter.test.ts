import { describe, expect, it } from 'vitest'
import { type RateLimitResult, whenConsumed } from './rate-limiter.ts'

const result: RateLimitResult = { allowed: true, limit: 5, remaining: 4, retryAfterSec: 60 }

describe('whenConsumed', () => {
  it('goes on at once with a synchronous answer: no promise', () => {
    const seen: RateLimitResult[] = []
    const out = whenConsumed(result, (r) => {
      seen.push(r)
      return 'next'
    })
    expect(out).toBe('next')
    expect(seen).toEqual([result])
  })

  it('throws what `next` throws synchronously for a synchronous answer', () => {
    expect(() =>
      whenConsumed(result, () => {
        throw new Error('over the limit')
      }),
    ).toThrow('over the limit')
  })

  it('waits for a promised answer', async () => {
    const out = whenConsumed(Promise.resolve(result), (r) => r.remaining)
    expect(out).toBeInstanceOf(Promise)
    expect(await out).toBe(4)
  })

  it('hands a store failure to `fail`, or rejects without one', async () => {
    const down = () => Promise.reject(new Error('store down'))
    const failed = await whenConsumed(
      down(),
      () => 'next',
      (err) => `failed: ${(err as Error).message}`,
    )
    expect(failed).toBe('failed: store down')
    await expect(whenConsumed(down(), () => 'next')).rejects.toThrow('store down')
  })
})
