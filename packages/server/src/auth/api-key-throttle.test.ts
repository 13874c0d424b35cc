import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, createTestTenant, type TestApp } from '../../test/helpers.ts'
import { eventually, testRedisUrl } from '../../test/redis-server.ts'
import type { RateLimiter } from '../limits/rate-limiter.ts'
import { createRedisRateLimiter } from '../limits/redis-rate-limiter.ts'
import { API_KEY_FAILURE_LIMIT } from './admin-auth.ts'

const CONFIG = '/api/v1/voice-widget/config'
const redisUrl = testRedisUrl()
const guess = () => `itsm_sk_live_${randomBytes(30).toString('base64url').slice(0, 40)}`

async function redisLimiter(prefix: string): Promise<RateLimiter> {
  const l = createRedisRateLimiter({ url: redisUrl!, keyPrefix: prefix })
  await eventually(() => l.ping!(), { timeoutMs: 5000 })
  return l
}

// The attack: guessing API keys from one address, as fast as the server answers.
describe.each([
  ['memory', false],
  ['redis, two instances', true],
] as const)('failed API-key attempts are throttled per client address (%s)', (_name, shared) => {
  let a: TestApp
  let b: TestApp
  let apiKey: string
  beforeAll(async () => {
    if (shared && !redisUrl) return
    const prefix = `aurion-test-${randomBytes(6).toString('hex')}:`
    a = await buildTestApp({
      env: { AURION_TRUST_PROXY: '127.0.0.1' },
      deps: shared ? { limiter: await redisLimiter(prefix) } : {},
    })
    // With Redis, a second instance on the same store: failures anywhere count everywhere.
    b = shared
      ? await buildTestApp({
          env: { AURION_TRUST_PROXY: '127.0.0.1' },
          deps: { limiter: await redisLimiter(prefix) },
        })
      : a
    ;({ apiKey } = await createTestTenant(a.db))
    if (shared) await createTestTenant(b.db)
  })
  afterAll(async () => {
    await a?.close()
    if (b !== a) await b?.close()
  })

  const call = (app: TestApp, ip: string, headers: Record<string, string>) =>
    app.app.inject({
      method: 'GET',
      url: CONFIG,
      headers: { ...headers, 'x-forwarded-for': ip },
      remoteAddress: '127.0.0.1',
    })

  it.skipIf(shared && !redisUrl)(
    'locks the guessing address out with 429 and Retry-After, and only it',
    async () => {
      const attacker = '198.51.100.7'
      const limit = API_KEY_FAILURE_LIMIT.limit
      for (let i = 0; i < limit; i++) {
        // Alternating instances, header styles: all are the same address's failures.
        const app = i % 2 === 0 ? a : b
        const headers: Record<string, string> =
          i % 3 === 0 ? { authorization: `Bearer ${guess()}` } : { 'x-api-key': guess() }
        const res = await call(app, attacker, headers)
        expect(res.statusCode).toBe(401)
        expect(res.json()).toEqual({ detail: 'Invalid or revoked API key' })
      }
      for (const app of [a, b]) {
        const locked = await call(app, attacker, { 'x-api-key': guess() })
        expect(locked.statusCode).toBe(429)
        expect(locked.json()).toEqual({ detail: 'Rate limit exceeded', limit })
        const retryAfter = Number(locked.headers['retry-after'])
        expect(retryAfter).toBeGreaterThan(0)
        expect(retryAfter).toBeLessThanOrEqual(API_KEY_FAILURE_LIMIT.windowSec)
        expect(locked.headers['x-ratelimit-remaining']).toBe('0')
      }
      // While it lasts, the address's keys are not even looked at: a right key waits too, or
      // the throttle would only change the answer to wrong guesses.
      const right = await call(a, attacker, { 'x-api-key': apiKey })
      expect(right.statusCode).toBe(429)
      // Another address, with the same valid key, is not affected at all.
      const elsewhere = await call(a, '203.0.113.5', { 'x-api-key': apiKey })
      expect(elsewhere.statusCode).toBe(200)
      expect(elsewhere.headers['x-ratelimit-limit']).toBe('300')
    },
  )

  it.skipIf(shared && !redisUrl)('never counts successful requests', async () => {
    const busy = '198.51.100.8'
    for (let i = 0; i < 3 * API_KEY_FAILURE_LIMIT.limit; i++) {
      expect((await call(a, busy, { 'x-api-key': apiKey })).statusCode).toBe(200)
    }
    // Its failures still have their full allowance.
    for (let i = 0; i < API_KEY_FAILURE_LIMIT.limit; i++) {
      expect((await call(b, busy, { 'x-api-key': guess() })).statusCode).toBe(401)
    }
    expect((await call(a, busy, { 'x-api-key': guess() })).statusCode).toBe(429)
  })

  it.skipIf(shared && !redisUrl)(
    'does not count console sessions and anonymous calls',
    async () => {
      const other = '198.51.100.9'
      for (let i = 0; i < API_KEY_FAILURE_LIMIT.limit + 5; i++) {
        expect((await call(a, other, { authorization: 'Bearer not-a-session' })).statusCode).toBe(
          401,
        )
        expect((await call(a, other, {})).statusCode).toBe(401)
      }
      expect((await call(a, other, { 'x-api-key': apiKey })).statusCode).toBe(200)
    },
  )
})
