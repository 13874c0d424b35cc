import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, createTestTenant, type TestApp } from '../../../test/helpers.ts'
import { eventually, testRedisUrl } from '../../../test/redis-server.ts'
import { createAdminUser } from '../../admin-users/user-repo.ts'
import { createMemoryRateLimiter } from '../../limits/memory-rate-limiter.ts'
import type { RateLimiter } from '../../limits/rate-limiter.ts'
import { createRedisRateLimiter } from '../../limits/redis-rate-limiter.ts'
import { LOGIN_LIMITS } from './auth-routes.ts'

const PASSWORD = 'correct horse battery staple'
const redisUrl = testRedisUrl()

/** Two instances' limiters: one shared in-process limiter, or two Redis clients on one prefix. */
const backends: [string, (() => Promise<[RateLimiter, RateLimiter]>) | undefined][] = [
  [
    'memory',
    async () => {
      const l = createMemoryRateLimiter()
      return [l, l]
    },
  ],
  [
    'redis',
    redisUrl
      ? async () => {
          const keyPrefix = `aurion-test-${randomBytes(6).toString('hex')}:`
          const pair = [0, 1].map(() => createRedisRateLimiter({ url: redisUrl, keyPrefix }))
          await Promise.all(pair.map((l) => eventually(() => l.ping!(), { timeoutMs: 5000 })))
          return pair as [RateLimiter, RateLimiter]
        }
      : undefined,
  ],
]

// Every sign-in runs scrypt (tens of ms, much more on a busy machine): room for a dozen in a row.
describe.each(backends)(
  'console sign-in throttle on the %s limiter, two instances',
  { timeout: 60_000 },
  (_n, make) => {
    let apps: TestApp[] = []

    beforeEach(async () => {
      if (!make) return
      const limiters = await make()
      apps = await Promise.all(limiters.map((limiter) => buildTestApp({ deps: { limiter } })))
      for (const t of apps) {
        const { tenantId } = await createTestTenant(t.db)
        await createAdminUser(t.db, { tenantId, email: 'admin@acme.test', password: PASSWORD })
      }
    })
    afterEach(async () => {
      await Promise.all(apps.map((t) => t.close()))
      apps = []
    })

    const login = (i: number, password: string, remoteAddress: string) =>
      apps[i % 2]!.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'admin@acme.test', password },
        remoteAddress,
      })

    it.skipIf(!make)(
      'failures on either instance add up; the throttled address gets 429 + Retry-After, the user elsewhere signs in',
      async () => {
        for (let i = 0; i < LOGIN_LIMITS.perEmail.limit; i++) {
          expect((await login(i, `guess ${i}`, '198.51.100.7')).statusCode).toBe(401)
        }
        for (const i of [0, 1]) {
          const res = await login(i, PASSWORD, '198.51.100.7')
          expect(res.statusCode).toBe(429)
          expect(Number(res.headers['retry-after'])).toBeGreaterThan(800)
          expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(900)
        }
        for (const i of [0, 1]) {
          expect((await login(i, PASSWORD, '203.0.113.20')).statusCode).toBe(200)
        }
      },
    )

    it.skipIf(!make)(
      'IPv6: hopping between addresses of one /64 keeps the count; another /64 signs in',
      async () => {
        for (let i = 0; i < LOGIN_LIMITS.perEmail.limit; i++) {
          const res = await login(i, `guess ${i}`, `2001:db8:7:7::${(i + 1).toString(16)}`)
          expect(res.statusCode).toBe(401)
        }
        expect((await login(0, PASSWORD, '2001:db8:7:7:ffff::1')).statusCode).toBe(429)
        expect((await login(1, PASSWORD, '2001:db8:7:8::1')).statusCode).toBe(200)
      },
    )

    it.skipIf(!make)('12 successful sign-ins in a row from one address all succeed', async () => {
      for (let i = 0; i < 12; i++) {
        expect((await login(i, PASSWORD, '198.51.100.8')).statusCode, `sign-in ${i + 1}`).toBe(200)
      }
    })

    it.skipIf(!make)(
      'a parallel burst of guesses gets at most 10 password checks; the rest are 429',
      async () => {
        const res = await Promise.all(
          Array.from({ length: 24 }, (_, i) => login(i, `burst ${i}`, '198.51.100.9')),
        )
        const codes = res.map((r) => r.statusCode)
        expect(codes.filter((c) => c === 401)).toHaveLength(LOGIN_LIMITS.perEmail.limit)
        expect(codes.filter((c) => c === 429)).toHaveLength(24 - LOGIN_LIMITS.perEmail.limit)
      },
    )
  },
)
