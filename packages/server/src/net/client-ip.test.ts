import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ForwardingProxy,
  requestFrom,
  startForwardingProxy,
} from '../../test/forwarding-proxy.ts'
import {
  buildTestApp,
  createTestTenant,
  type TestApp,
  type TestTenant,
} from '../../test/helpers.ts'
import { EMBED_CONFIG_PATH } from '../routes/embed/config-fast-path.ts'

const ORIGIN = 'https://example.com'
const ALICE = '127.0.0.2'
const BOB = '127.0.0.3'

// AURION_TRUST_PROXY=1 behind one real proxy hop: each visitor has their own rate-limit bucket,
// and what a visitor writes into X-Forwarded-For does not move them to another.
describe('AURION_TRUST_PROXY as a hop count, through a real proxy', () => {
  let t: TestApp
  let proxy: ForwardingProxy
  let tenant: TestTenant

  beforeAll(async () => {
    t = await buildTestApp({ env: { AURION_TRUST_PROXY: '1' } })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    proxy = await startForwardingProxy(
      `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`,
    )
    tenant = await createTestTenant(t.db)
  })
  afterAll(async () => {
    await proxy.close()
    await t.close()
  })

  const session = (from: string, forwardedFor?: string) =>
    requestFrom(from, `${proxy.url}/api/v1/widget/session`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: ORIGIN,
        ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
      },
      body: JSON.stringify({
        tenant_id: tenant.tenantId,
        public_key: tenant.publicKey,
        email: 'jane@example.com',
      }),
    })

  it('gives each visitor behind the proxy a bucket of their own', async () => {
    for (let i = 0; i < 30; i++) {
      const res = await session(ALICE, `198.51.100.${i}`)
      expect(res.status).toBe(200)
      expect(res.headers['x-ratelimit-remaining']).toBe(String(29 - i))
    }
    // Alice is over her limit whatever she writes into X-Forwarded-For …
    const spoofed = await session(ALICE, '203.0.113.7')
    expect(spoofed.status).toBe(429)
    expect(JSON.parse(spoofed.body)).toEqual({ detail: 'Rate limit exceeded', limit: 30 })
    expect(Number(spoofed.headers['retry-after'])).toBeGreaterThan(0)
    // … and Bob, behind the same proxy, is not.
    const bob = await session(BOB)
    expect(bob.status).toBe(200)
    expect(bob.headers['x-ratelimit-remaining']).toBe('29')
  })

  it('counts the embed config fast path and the route in the same bucket', async () => {
    const carol = '127.0.0.4'
    const other = await createTestTenant(t.db, { name: 'Other' })
    const config = (forwardedFor?: string) =>
      requestFrom(carol, proxy.url + EMBED_CONFIG_PATH, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          origin: ORIGIN,
          ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
        },
        body: JSON.stringify({ tenant_id: other.tenantId, public_key: other.publicKey }),
      })
    const fast = t.app.embedConfigFastPath!
    const before = fast.answered
    // The first goes through Fastify's route (the tenant is not cached yet), the rest through
    // the fast path: one count whichever answers, whatever the visitor forges.
    const remaining: string[] = []
    for (let i = 0; i < 4; i++) {
      const res = await config(`192.0.2.${i}`)
      expect(res.status).toBe(200)
      remaining.push(String(res.headers['x-ratelimit-remaining']))
    }
    expect(fast.answered).toBeGreaterThan(before)
    expect(fast.answered).toBeLessThan(before + 4)
    expect(remaining).toEqual(['119', '118', '117', '116'])
  })
})
