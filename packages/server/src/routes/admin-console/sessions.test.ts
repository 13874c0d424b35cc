import { afterEach, beforeEach, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
} from '../../../test/helpers.ts'
import { createAdminUser } from '../../admin-users/user-repo.ts'
import { buildApp } from '../../app.ts'
import { createMemoryRateLimiter } from '../../limits/memory-rate-limiter.ts'

const PASSWORD = 'correct horse battery staple'
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36'
const PHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Version/18.0 Mobile Safari/604.1'

forEachDialect('console sessions: list and revoke', (dialect) => {
  let t: TestApp
  let tenantId: string
  let apiKey: string

  beforeEach(async () => {
    t = await buildTestApp({ dialect, deps: { limiter: createMemoryRateLimiter() } })
    const tenant = await createTestTenant(t.db, { name: 'Acme' })
    tenantId = tenant.tenantId
    apiKey = tenant.apiKey
    await createAdminUser(t.db, { tenantId, email: 'ada@acme.test', password: PASSWORD })
    await createAdminUser(t.db, {
      tenantId,
      email: 'sam@acme.test',
      password: PASSWORD,
      role: 'agent',
    })
  })
  afterEach(async () => {
    await t.close()
  })

  const login = async (email: string, userAgent: string, remoteAddress = '127.0.0.1') => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: PASSWORD },
      headers: { 'user-agent': userAgent },
      remoteAddress,
    })
    expect(res.statusCode, res.body).toBe(200)
    return res.json() as { token: string; csrf_token: string }
  }
  const as = (token: string) => ({ authorization: `Bearer ${token}` })
  const list = async (token: string) => {
    const res = await t.app.inject({ url: '/api/v1/auth/sessions', headers: as(token) })
    expect(res.statusCode, res.body).toBe(200)
    return res.json().sessions as Array<Record<string, unknown>>
  }

  it('lists only your own live sessions, with where they were opened and which is this one', async () => {
    const laptop = await login('ada@acme.test', CHROME, '203.0.113.5')
    const phone = await login('ada@acme.test', PHONE, '198.51.100.7')
    const other = await login('sam@acme.test', CHROME)
    const sessions = await list(laptop.token)
    expect(sessions).toHaveLength(2)
    const byAgent = Object.fromEntries(sessions.map((s) => [s.user_agent as string, s]))
    expect(byAgent[CHROME]).toMatchObject({ ip: '203.0.113.5', current: true })
    expect(byAgent[PHONE]).toMatchObject({ ip: '198.51.100.7', current: false })
    for (const s of sessions) {
      expect(s).toEqual({
        id: expect.stringMatching(/^ses_/),
        created_at: expect.any(String),
        expires_at: expect.any(String),
        last_seen_at: expect.any(String),
        ip: expect.any(String),
        user_agent: expect.any(String),
        current: expect.any(Boolean),
      })
    }
    // Never the token or its hash.
    expect(JSON.stringify(sessions)).not.toContain(phone.token)
    expect((await list(other.token)).map((s) => s.user_agent)).toEqual([CHROME])
    // An API key is not a person.
    const withKey = await t.app.inject({
      url: '/api/v1/auth/sessions',
      headers: { 'x-api-key': apiKey },
    })
    expect(withKey.statusCode).toBe(403)
  })

  it('a revoked session is refused at once, here and on a second instance over the same database', async () => {
    const second = await buildApp(t.config, { database: t.database })
    await second.ready()
    try {
      const laptop = await login('ada@acme.test', CHROME)
      const phone = await login('ada@acme.test', PHONE)
      const me = (app: typeof second, token: string) =>
        app.inject({ url: '/api/v1/auth/me', headers: as(token) })
      expect((await me(second, phone.token)).statusCode).toBe(200)
      const phoneId = (await list(laptop.token)).find((s) => !s.current)!.id as string

      const revoke = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/auth/sessions/${phoneId}`,
        headers: as(laptop.token),
      })
      expect(revoke.statusCode).toBe(204)
      expect((await me(t.app, phone.token)).statusCode).toBe(401)
      expect((await me(second, phone.token)).statusCode).toBe(401)
      expect((await me(second, laptop.token)).statusCode).toBe(200)
      expect((await list(laptop.token)).map((s) => s.id)).not.toContain(phoneId)
      // Twice: it is gone.
      const again = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/auth/sessions/${phoneId}`,
        headers: as(laptop.token),
      })
      expect(again.statusCode).toBe(404)
      const audit = await t.db
        .selectFrom('audit_log')
        .select(['action', 'target'])
        .where('tenant_id', '=', tenantId)
        .where('action', '=', 'console.session_revoked')
        .execute()
      expect(audit).toEqual([{ action: 'console.session_revoked', target: phoneId }])
    } finally {
      await second.close()
    }
  })

  it("cannot revoke another user's session (404, and it keeps working)", async () => {
    const ada = await login('ada@acme.test', CHROME)
    const sam = await login('sam@acme.test', CHROME)
    const samId = (await list(sam.token))[0]!.id as string
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${samId}`,
      headers: as(ada.token),
    })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({ detail: 'Session not found' })
    expect((await list(sam.token))[0]!.id).toBe(samId)
  })

  it('revoking the current session signs this client out and clears the cookie', async () => {
    const ada = await login('ada@acme.test', CHROME)
    const cookie = `aurion_session=${ada.token}`
    const id = (await list(ada.token))[0]!.id as string
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${id}`,
      headers: { cookie, 'x-csrf-token': ada.csrf_token },
    })
    expect(res.statusCode).toBe(204)
    expect(String(res.headers['set-cookie'])).toMatch(/^aurion_session=; Max-Age=0/)
    const after = await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })
    expect(after.statusCode).toBe(401)
  })

  it('a cookie request without the CSRF token cannot revoke', async () => {
    const ada = await login('ada@acme.test', CHROME)
    const phone = await login('ada@acme.test', PHONE)
    const phoneId = (await list(ada.token)).find((s) => !s.current)!.id as string
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${phoneId}`,
      headers: { cookie: `aurion_session=${ada.token}` },
    })
    expect(res.statusCode).toBe(403)
    expect((await list(phone.token)).length).toBe(2)
  })

  it('signs out everywhere else, keeping this session', async () => {
    const ada = await login('ada@acme.test', CHROME)
    const others = [await login('ada@acme.test', PHONE), await login('ada@acme.test', PHONE)]
    const sam = await login('sam@acme.test', CHROME)
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sessions/revoke-others',
      headers: as(ada.token),
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ revoked: 2 })
    for (const o of others) {
      const me = await t.app.inject({ url: '/api/v1/auth/me', headers: as(o.token) })
      expect(me.statusCode).toBe(401)
    }
    expect((await list(ada.token)).map((s) => s.current)).toEqual([true])
    expect(await list(sam.token)).toHaveLength(1)
  })

  it('last_seen_at moves when a session is used after a minute, not on every request', async () => {
    const ada = await login('ada@acme.test', CHROME)
    const old = '2020-01-01T00:00:00.000Z'
    await t.db.updateTable('admin_sessions').set({ last_seen_at: old }).execute()
    await t.app.inject({ url: '/api/v1/auth/me', headers: as(ada.token) })
    const seen = (await list(ada.token))[0]!.last_seen_at as string
    expect(seen).not.toBe(old)
    expect(Date.now() - Date.parse(seen)).toBeLessThan(60_000)
    await t.app.inject({ url: '/api/v1/auth/me', headers: as(ada.token) })
    const row = await t.db
      .selectFrom('admin_sessions')
      .select('last_seen_at')
      .executeTakeFirstOrThrow()
    expect(row.last_seen_at).toBe(seen)
  })
})
