import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'

const DOMAIN = 'help.aurion.test'

forEachDialect('the widget on Help Center origins', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let b: TestTenant

  beforeAll(async () => {
    t = await buildTestApp({
      dialect,
      env: { AURION_HELP_CENTER_DOMAIN: DOMAIN, AURION_PUBLIC_URL: 'https://support.example.com' },
    })
  })
  afterAll(async () => t.close())
  beforeEach(async () => {
    await t.db.deleteFrom('help_centers').execute()
    // Neither tenant lists a Help Center origin in allowed_origins.
    a = await createTestTenant(t.db, { name: 'A' })
    b = await createTestTenant(t.db, { name: 'B' })
    for (const [tenant, slug] of [
      [a, 'alpha'],
      [b, 'bravo'],
    ] as const) {
      const res = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/help-center',
        headers: { 'x-api-key': tenant.apiKey },
        payload: { enabled: true, slug, title: `${slug} help` },
      })
      expect(res.statusCode).toBe(200)
    }
  })

  const embedConfig = (tenant: TestTenant, origin: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/voice-widget/embed/config',
      headers: { origin },
      payload: { tenant_id: tenant.tenantId, public_key: tenant.publicKey },
    })
  const session = (tenant: TestTenant, origin: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/session',
      headers: { origin },
      payload: { tenant_id: tenant.tenantId, public_key: tenant.publicKey, email: 'v@example.com' },
    })

  it('allows the tenant’s own slug host, the bare domain and its /hc pages’ origin', async () => {
    for (const origin of [
      `https://alpha.${DOMAIN}`,
      `https://${DOMAIN}`,
      'https://support.example.com',
    ]) {
      const res = await embedConfig(a, origin)
      expect(res.statusCode, `${origin}: ${res.body}`).toBe(200)
      expect((await session(a, origin)).statusCode).toBe(200)
    }
    expect(
      (await embedConfig(a, `https://alpha.${DOMAIN}`)).headers['access-control-allow-origin'],
    ).toBe(`https://alpha.${DOMAIN}`)
  })

  it('refuses another tenant’s slug host, unknown slugs, http and other ports', async () => {
    for (const origin of [
      `https://bravo.${DOMAIN}`,
      `https://nobody.${DOMAIN}`,
      `http://alpha.${DOMAIN}`,
      `https://alpha.${DOMAIN}:8443`,
      `https://x.alpha.${DOMAIN}`,
      `https://alpha.${DOMAIN}.evil.io`,
    ]) {
      const res = await embedConfig(a, origin)
      expect(res.statusCode, origin).toBe(403)
      expect(res.json()).toEqual({ detail: 'Origin not allowed' })
      expect(res.headers['access-control-allow-origin']).toBeUndefined()
      expect((await session(a, origin)).statusCode).toBe(403)
    }
  })

  it('stops allowing them once the Help Center is disabled or its slug changes', async () => {
    expect((await embedConfig(a, `https://alpha.${DOMAIN}`)).statusCode).toBe(200)
    await t.app.inject({
      method: 'PUT',
      url: '/api/v1/help-center',
      headers: { 'x-api-key': a.apiKey },
      payload: { enabled: true, slug: 'alpha-two', title: 'A' },
    })
    expect((await embedConfig(a, `https://alpha.${DOMAIN}`)).statusCode).toBe(403)
    expect((await embedConfig(a, `https://alpha-two.${DOMAIN}`)).statusCode).toBe(200)
    await t.app.inject({
      method: 'PUT',
      url: '/api/v1/help-center',
      headers: { 'x-api-key': a.apiKey },
      payload: { enabled: false, slug: 'alpha-two', title: 'A' },
    })
    expect((await embedConfig(a, `https://alpha-two.${DOMAIN}`)).statusCode).toBe(403)
    expect((await embedConfig(a, 'https://support.example.com')).statusCode).toBe(403)
  })
})
