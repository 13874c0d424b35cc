import type { LightMyRequestResponse } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, createTestTenant, type TestApp } from '../../../test/helpers.ts'
import { createAdminUser } from '../../admin-users/user-repo.ts'
import { sha256Hex } from '../../auth/keys.ts'

const PASSWORD = 'correct horse battery staple'
const KEY_BODY = { name: 'planted by another site', scopes: ['config:write'] }

/** The console's cookie session as a browser holds it: the cookie, and the CSRF token. */
interface Browser {
  token: string
  csrf: string
  cookie: string
}

function setCookieOf(res: LightMyRequestResponse): string {
  const h = res.headers['set-cookie']
  return String(Array.isArray(h) ? h[0] : h)
}

describe('console session cookie and CSRF', () => {
  let t: TestApp
  let tenantId: string
  let apiKey: string

  beforeEach(async () => {
    t = await buildTestApp({ env: { AURION_TRUST_PROXY: '127.0.0.1' } })
    const tenant = await createTestTenant(t.db, { name: 'Acme Support' })
    tenantId = tenant.tenantId
    apiKey = tenant.apiKey
    await createAdminUser(t.db, { tenantId, email: 'admin@acme.test', password: PASSWORD })
  })
  afterEach(async () => {
    await t.close()
  })

  const signIn = async (headers: Record<string, string> = {}): Promise<Browser> => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'admin@acme.test', password: PASSWORD },
      headers,
    })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    return { token: body.token, csrf: body.csrf_token, cookie: `aurion_session=${body.token}` }
  }
  const keyCount = async () =>
    (await t.db.selectFrom('api_keys').select('id').where('tenant_id', '=', tenantId).execute())
      .length
  const sessionRevoked = async (token: string) =>
    (
      await t.db
        .selectFrom('admin_sessions')
        .select('revoked_at')
        .where('token_hash', '=', sha256Hex(token))
        .executeTakeFirstOrThrow()
    ).revoked_at !== null

  it('login sets an HttpOnly, SameSite=Strict, Path=/ cookie with the session, not Secure over http', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'admin@acme.test', password: PASSWORD },
    })
    const cookie = setCookieOf(res)
    const { token } = res.json()
    expect(cookie).toMatch(new RegExp(`^aurion_session=${token};`))
    expect(cookie).toContain('; HttpOnly')
    expect(cookie).toContain('; SameSite=Strict')
    expect(cookie).toContain('; Path=/')
    expect(cookie).toMatch(/; Max-Age=(4319\d|43200);/)
    expect(cookie).not.toContain('Secure')
    expect(cookie).not.toContain('Domain')
  })

  it('over https (a trusted proxy says so) the cookie is __Host- and Secure; an untrusted X-Forwarded-Proto changes nothing', async () => {
    const viaProxy = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'admin@acme.test', password: PASSWORD },
      headers: { 'x-forwarded-proto': 'https' },
    })
    const secure = setCookieOf(viaProxy)
    expect(secure).toMatch(/^__Host-aurion_session=ases_\w+;/)
    expect(secure).toContain('; Secure')
    expect(secure).toContain('; Path=/')
    const token = viaProxy.json().token
    const me = await t.app.inject({
      url: '/api/v1/auth/me',
      headers: { 'x-forwarded-proto': 'https', cookie: `__Host-aurion_session=${token}` },
    })
    expect(me.statusCode).toBe(200)
    // Over https a cookie without the prefix (planted over http or by a subdomain) is ignored.
    const tossed = await t.app.inject({
      url: '/api/v1/auth/me',
      headers: { 'x-forwarded-proto': 'https', cookie: `aurion_session=${token}` },
    })
    expect(tossed.statusCode).toBe(401)

    const spoofed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'admin@acme.test', password: PASSWORD },
      headers: { 'x-forwarded-proto': 'https' },
      remoteAddress: '203.0.113.50',
    })
    expect(setCookieOf(spoofed)).toMatch(/^aurion_session=/)
    expect(setCookieOf(spoofed)).not.toContain('Secure')
  })

  it('the cookie alone signs in every read: /auth/me (same CSRF token) and admin routes', async () => {
    const b = await signIn()
    const me = await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie: b.cookie } })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toMatchObject({ user: { email: 'admin@acme.test' }, csrf_token: b.csrf })
    for (const url of [
      '/api/v1/conversations',
      '/api/v1/api-keys',
      '/api/v1/voice-widget/config',
    ]) {
      const res = await t.app.inject({ url, headers: { cookie: `other=1; ${b.cookie}; x=y` } })
      expect(res.statusCode, url).toBe(200)
    }
  })

  it('a write with the cookie and the CSRF token from this origin works', async () => {
    const b = await signIn()
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: { name: 'from the console', scopes: ['config:read'] },
      headers: { cookie: b.cookie, 'x-csrf-token': b.csrf, 'sec-fetch-site': 'same-origin' },
    })
    expect(res.statusCode, res.body).toBe(201)
  })

  it.each([
    ['a form POST from another site', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['a script request without the token', {}],
    ['a wrong token', { 'x-csrf-token': 'A'.repeat(43) }],
    ['a token of another length', { 'x-csrf-token': 'short' }],
  ])('CSRF: %s with the cookie is refused with 403 and changes nothing', async (_n, headers) => {
    const b = await signIn()
    const form = 'content-type' in headers
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { cookie: b.cookie, ...headers },
      payload: form ? 'name=planted&scopes=config%3Awrite' : KEY_BODY,
    })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({
      detail: 'Cross-site request refused: send the X-CSRF-Token of your session from the console',
    })
    expect(await keyCount()).toBe(1)
  })

  it.each(['cross-site', 'same-site', 'none'])(
    'CSRF: the right token from a request the browser marks Sec-Fetch-Site: %s is refused',
    async (site) => {
      const b = await signIn()
      const res = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/voice-widget/config',
        headers: { cookie: b.cookie, 'x-csrf-token': b.csrf, 'sec-fetch-site': site },
        payload: { enabled: false, display_title: 'Defaced', launcher_label: 'x' },
      })
      expect(res.statusCode).toBe(403)
    },
  )

  it('CSRF: a forged sign-out is refused and the session lives on', async () => {
    const b = await signIn()
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: b.cookie },
    })
    expect(res.statusCode).toBe(403)
    expect(await sessionRevoked(b.token)).toBe(false)
  })

  it('the CSRF token of one session does not work with another', async () => {
    const a = await signIn()
    const b = await signIn()
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      payload: KEY_BODY,
      headers: { cookie: b.cookie, 'x-csrf-token': a.csrf },
    })
    expect(res.statusCode).toBe(403)
  })

  it('API clients are unchanged: Bearer and X-API-Key writes need no CSRF token, and win over a cookie', async () => {
    const b = await signIn()
    for (const headers of [
      { authorization: `Bearer ${b.token}`, cookie: 'aurion_session=garbage' },
      { 'x-api-key': apiKey, cookie: b.cookie },
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        payload: KEY_BODY,
        headers,
      })
      expect(res.statusCode, res.body).toBe(201)
    }
  })

  it('sign-out with the cookie revokes the session server-side and clears the cookie', async () => {
    const b = await signIn()
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: b.cookie, 'x-csrf-token': b.csrf },
    })
    expect(out.statusCode).toBe(204)
    const cleared = setCookieOf(out)
    expect(cleared).toMatch(/^aurion_session=;/)
    expect(cleared).toContain('Max-Age=0')
    expect(await sessionRevoked(b.token)).toBe(true)
    // Another tab still sending the old cookie is signed out on its next request.
    for (const url of ['/api/v1/auth/me', '/api/v1/conversations']) {
      const res = await t.app.inject({ url, headers: { cookie: b.cookie } })
      expect(res.statusCode, url).toBe(401)
    }
    expect(
      (
        await t.app.inject({
          url: '/api/v1/auth/me',
          headers: { authorization: `Bearer ${b.token}` },
        })
      ).statusCode,
    ).toBe(401)
  })

  it.each([
    ['text/plain', 422],
    ['application/x-www-form-urlencoded', 415],
    ['multipart/form-data; boundary=x', 415],
  ])(
    'login CSRF: a form from another site (%s) cannot sign the browser in',
    async (type, status) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'content-type': type },
        payload: JSON.stringify({ email: 'admin@acme.test', password: PASSWORD }),
      })
      expect(res.statusCode).toBe(status)
      expect(res.headers['set-cookie']).toBeUndefined()
    },
  )

  it('signing in again in the same browser ends the session its cookie held', async () => {
    const first = await signIn()
    const second = await signIn({ cookie: first.cookie })
    expect(await sessionRevoked(first.token)).toBe(true)
    expect(await sessionRevoked(second.token)).toBe(false)
  })

  it.each([
    ['garbage', 'aurion_session=garbage'],
    ['a huge value', `aurion_session=${'x'.repeat(6000)}`],
    ['bad percent-encoding', 'aurion_session=%E0%A4%A'],
    ['an empty value', 'aurion_session='],
    ['no equals sign', 'aurion_session'],
    ['only separators', ';;; ;'],
  ])('a cookie with %s is 401, not 500', async (_n, cookie) => {
    const res = await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })
    expect(res.statusCode).toBe(401)
    expect(typeof res.json().detail).toBe('string')
  })
})
