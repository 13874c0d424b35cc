import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import {
  buildHelpCenterApp,
  HELP_CENTER_DOMAIN as DOMAIN,
  freshHelpCenterTenants,
} from '../../../test/help-center-support.ts'
import { forEachDialect, type TestApp, type TestTenant } from '../../../test/helpers.ts'

forEachDialect('the widget on Help Center origins', (dialect) => {
  let t: TestApp
  let a: TestTenant

  beforeAll(async () => {
    t = await buildHelpCenterApp(dialect)
  })
  afterAll(async () => t.close())
  beforeEach(async () => {
    // Neither tenant lists a Help Center origin in allowed_origins.
    ;[a] = await freshHelpCenterTenants(t, [
      { slug: 'alpha', title: 'alpha help' },
      { slug: 'bravo', title: 'bravo help' },
    ])
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
