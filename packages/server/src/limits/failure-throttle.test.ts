import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { eventually, testRedisUrl } from '../../test/redis-server.ts'
import { throttleFailures } from './failure-throttle.ts'
import { createMemoryRateLimiter } from './memory-rate-limiter.ts'
import type { RateLimiter, RateLimitRule } from './rate-limiter.ts'
import { createRedisRateLimiter } from './redis-rate-limiter.ts'

const redisUrl = testRedisUrl()

const backends: [string, (() => Promise<RateLimiter>) | undefined][] = [
  ['memory', async () => createMemoryRateLimiter()],
  [
    'redis',
    redisUrl
      ? async () => {
          const l = createRedisRateLimiter({
            url: redisUrl,
            keyPrefix: `aurion-test-${randomBytes(6).toString('hex')}:`,
          })
          await eventually(() => l.ping!(), { timeoutMs: 5000 })
          return l
        }
      : undefined,
  ],
]

describe.each(backends)('throttleFailures on the %s limiter', (_name, make) => {
  const rule: RateLimitRule = { bucket: 'fail', limit: 3, windowSec: 60 }
  const open: RateLimiter[] = []
  const limiter = async () => {
    const l = await make!()
    open.push(l)
    return l
  }
  afterEach(async () => {
    await Promise.all(open.splice(0).map((l) => l.close()))
  })

  const fail = async () => undefined
  const succeed = async () => 'ok'

  it.skipIf(!make)(
    'successes never count; the failure after `limit` failures is blocked',
    async () => {
      const l = await limiter()
      const checks = [{ rule, key: 'ip' }]
      for (let i = 0; i < 20; i++) {
        expect(await throttleFailures(l, checks, succeed)).toEqual({ blocked: false, value: 'ok' })
      }
      for (let i = 0; i < 3; i++) {
        expect(await throttleFailures(l, checks, fail)).toEqual({
          blocked: false,
          value: undefined,
        })
      }
      let ran = false
      const blocked = await throttleFailures(l, checks, async () => {
        ran = true
        return 'ok'
      })
      expect(blocked).toMatchObject({ blocked: true })
      expect(ran).toBe(false)
      if (blocked.blocked) {
        expect(blocked.retryAfterSec).toBeGreaterThan(0)
        expect(blocked.retryAfterSec).toBeLessThanOrEqual(60)
      }
      // Another address has its own count.
      expect(await throttleFailures(l, [{ rule, key: 'other-ip' }], fail)).toMatchObject({
        blocked: false,
      })
    },
  )

  it.skipIf(!make)('blocks when any check is full, with the longest wait', async () => {
    const l = await limiter()
    const long: RateLimitRule = { bucket: 'fail-long', limit: 1, windowSec: 600 }
    await throttleFailures(l, [{ rule: long, key: 'ip' }], fail)
    const res = await throttleFailures(
      l,
      [
        { rule, key: 'ip|a@b.test' },
        { rule: long, key: 'ip' },
      ],
      succeed,
    )
    expect(res).toMatchObject({ blocked: true })
    if (res.blocked) expect(res.retryAfterSec).toBeGreaterThan(60)
    // The blocked attempt gave its point of the open check back.
    for (let i = 0; i < 3; i++) await throttleFailures(l, [{ rule, key: 'ip|a@b.test' }], fail)
    expect(await throttleFailures(l, [{ rule, key: 'ip|a@b.test' }], fail)).toMatchObject({
      blocked: true,
    })
  })

  it.skipIf(!make)('parallel failing attempts cannot outrun the limit', async () => {
    const l = await limiter()
    let ran = 0
    const slowFail = async () => {
      ran++
      await new Promise((r) => setTimeout(r, 20))
      return undefined
    }
    const results = await Promise.all(
      Array.from({ length: 30 }, () => throttleFailures(l, [{ rule, key: 'burst' }], slowFail)),
    )
    expect(ran).toBe(3)
    expect(results.filter((r) => r.blocked)).toHaveLength(27)
  })

  it.skipIf(!make)(
    'an attempt that throws is not a failure, and the error is passed on',
    async () => {
      const l = await limiter()
      for (let i = 0; i < 5; i++) {
        await expect(
          throttleFailures(l, [{ rule, key: 'db-down' }], async () => {
            throw new Error('database unreachable')
          }),
        ).rejects.toThrow('database unreachable')
      }
      expect(await throttleFailures(l, [{ rule, key: 'db-down' }], succeed)).toMatchObject({
        blocked: false,
        value: 'ok',
      })
    },
  )
})
