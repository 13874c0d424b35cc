import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  eventually,
  freePort,
  startTestRedisServer,
  testRedisUrl,
} from '../../test/redis-server.ts'
import { ApiError } from '../errors.ts'
import { rateLimiterContract } from './rate-limiter.contract.ts'
import type { RateLimiter, RateLimitRule } from './rate-limiter.ts'
import { createRedisRateLimiter } from './redis-rate-limiter.ts'

const redisUrl = testRedisUrl()

/** Waits until the limiter's connection is up (it connects in the background). */
const connected = (l: RateLimiter) => eventually(() => l.ping!(), { timeoutMs: 5000 })

if (redisUrl) {
  const contractPrefix = `aurion-test-${randomBytes(6).toString('hex')}:`
  rateLimiterContract('Redis limiter', async () => {
    const limiter = createRedisRateLimiter({ url: redisUrl, keyPrefix: contractPrefix })
    await connected(limiter)
    return { limiter }
  })
  afterAll(async () => {
    const admin = new Redis(redisUrl)
    const keys = await admin.keys(`${contractPrefix}*`)
    if (keys.length > 0) await admin.del(...keys)
    admin.disconnect()
  })
}

describe.skipIf(!redisUrl)('Redis rate limiter (shared by instances)', () => {
  const prefix = `aurion-test-${randomBytes(6).toString('hex')}:`
  const open: RateLimiter[] = []
  let admin: Redis

  const limiter = async (keyPrefix = prefix) => {
    const l = createRedisRateLimiter({ url: redisUrl!, keyPrefix })
    open.push(l)
    await connected(l)
    return l
  }

  beforeAll(() => {
    admin = new Redis(redisUrl!)
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((l) => l.close()))
  })
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}*`)
    if (keys.length > 0) await admin.del(...keys)
    admin.disconnect()
  })

  it('counts one window across two instances: request limit+1 is refused on either', async () => {
    const a = await limiter()
    const b = await limiter()
    const rule: RateLimitRule = { bucket: 'shared', limit: 6, windowSec: 60 }
    const seen = []
    for (let i = 0; i < 6; i++) seen.push(await (i % 2 === 0 ? a : b).consume(rule, 'k1'))
    expect(seen.map((r) => r.allowed)).toEqual([true, true, true, true, true, true])
    expect(seen.map((r) => r.remaining)).toEqual([5, 4, 3, 2, 1, 0])
    const refusedA = await a.consume(rule, 'k1')
    const refusedB = await b.consume(rule, 'k1')
    for (const r of [refusedA, refusedB]) {
      expect(r).toMatchObject({ allowed: false, limit: 6, remaining: 0 })
      expect(r.retryAfterSec).toBeGreaterThanOrEqual(1)
      expect(r.retryAfterSec).toBeLessThanOrEqual(60)
    }
  })

  it('is atomic across instances: exactly `limit` of many parallel requests on two pass', async () => {
    const a = await limiter()
    const b = await limiter()
    const rule: RateLimitRule = { bucket: 'race', limit: 25, windowSec: 60 }
    const results = await Promise.all(
      Array.from({ length: 80 }, (_, i) => (i % 2 === 0 ? a : b).consume(rule, 'hot')),
    )
    expect(results.filter((r) => r.allowed)).toHaveLength(25)
    expect(results.filter((r) => !r.allowed)).toHaveLength(55)
  })

  it('keeps deployments with another prefix apart', async () => {
    const a = await limiter()
    const other = await limiter(`${prefix}other:`)
    const rule: RateLimitRule = { bucket: 'iso', limit: 1, windowSec: 60 }
    expect((await a.consume(rule, 'x')).allowed).toBe(true)
    expect((await a.consume(rule, 'x')).allowed).toBe(false)
    expect((await other.consume(rule, 'x')).allowed).toBe(true)
  })

  it('stores counters under the prefix with the window as expiry', async () => {
    const a = await limiter()
    await a.consume({ bucket: 'ttl', limit: 3, windowSec: 30 }, '203.0.113.9')
    const keys = await admin.keys(`${prefix}rl:ttl:*`)
    expect(keys).toHaveLength(1)
    expect(keys[0]).toContain('203.0.113.9')
    const ttl = await admin.pttl(keys[0]!)
    expect(ttl).toBeGreaterThan(25_000)
    expect(ttl).toBeLessThanOrEqual(30_000)
    expect(await admin.get(keys[0]!)).toBe('1')
  })

  it('refund gives back a point on any instance, keeps the expiry, never re-creates a window', async () => {
    const a = await limiter()
    const b = await limiter()
    const rule: RateLimitRule = { bucket: 'refund', limit: 2, windowSec: 30 }
    await a.consume(rule, 'k')
    await a.consume(rule, 'k')
    // The refused third request counted too (3); one refund leaves the window full (2).
    expect((await a.consume(rule, 'k')).allowed).toBe(false)
    await b.refund(rule, 'k')
    expect((await a.consume(rule, 'k')).allowed).toBe(false)
    await b.refund(rule, 'k')
    await b.refund(rule, 'k')
    expect(await a.consume(rule, 'k')).toMatchObject({ allowed: true, remaining: 0 })
    const [key] = await admin.keys(`${prefix}rl:refund:*`)
    expect(await admin.pttl(key!)).toBeGreaterThan(25_000)
    // Never below zero, and a key without a window stays without one.
    for (let i = 0; i < 5; i++) await a.refund(rule, 'k')
    expect(await admin.get(key!)).toBe('0')
    await a.refund(rule, 'absent')
    expect(await admin.keys(`${prefix}rl:refund:*absent`)).toEqual([])
    expect((await a.consume(rule, 'absent')).remaining).toBe(1)
  })

  it('refuses with a 503 ApiError at once when Redis is unreachable', async () => {
    const port = await freePort()
    const l = createRedisRateLimiter({ url: `redis://127.0.0.1:${port}`, keyPrefix: prefix })
    open.push(l)
    const started = Date.now()
    const err = await Promise.resolve(
      l.consume({ bucket: 'down', limit: 5, windowSec: 60 }, 'k'),
    ).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 503, code: 'rate_limit_store_unavailable' })
    expect((err as ApiError).toBody()).toEqual({
      detail: 'Service temporarily unavailable (rate-limit store unreachable). Please retry.',
    })
    expect((err as ApiError).headers['Retry-After']).toBe(2)
    // Fails fast: no waiting on an offline queue or a command timeout.
    expect(Date.now() - started).toBeLessThan(500)
    await expect(l.refund({ bucket: 'down', limit: 5, windowSec: 60 }, 'k')).rejects.toMatchObject({
      status: 503,
    })
    await expect(l.ping!()).rejects.toThrow()
  })
})

describe.skipIf(!redisUrl)('Redis rate limiter across a Redis restart', () => {
  it('refuses while Redis is down and counts again once it is back, without a restart', async () => {
    const redis = await startTestRedisServer()
    const l = createRedisRateLimiter({ url: redis.url, keyPrefix: 'restart:' })
    try {
      await connected(l)
      const rule: RateLimitRule = { bucket: 'r', limit: 100, windowSec: 60 }
      expect((await l.consume(rule, 'k')).remaining).toBe(99)

      await redis.stop()
      await expect(l.consume(rule, 'k')).rejects.toMatchObject({ status: 503 })
      await expect(l.ping!()).rejects.toThrow()

      await redis.start()
      // The restarted server kept nothing (persistence off): the count starts over.
      const r = await eventually(async () => l.consume(rule, 'k'), { timeoutMs: 5000 })
      expect(r).toMatchObject({ allowed: true, remaining: 99 })
      await l.ping!()
    } finally {
      await l.close()
      await redis.close()
    }
  })
})
