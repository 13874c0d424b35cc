import { afterEach, beforeEach, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
} from '../../../test/helpers.ts'
import { createAdminSession } from '../../admin-users/session-repo.ts'
import { createAdminUser } from '../../admin-users/user-repo.ts'
import { sha256Hex } from '../../auth/keys.ts'
import { createMemoryRateLimiter } from '../../limits/memory-rate-limiter.ts'
import type { RateLimiter } from '../../limits/rate-limiter.ts'
import { LOGIN_LIMITS } from './auth-routes.ts'

const PASSWORD = 'correct horse battery staple'

forEachDialect('console auth API', (dialect) => {
  let t: TestApp
  let limiter: RateLimiter
  let tenantId: string
  let apiKey: string
  let userId: string

  beforeEach(async () => {
    limiter = createMemoryRateLimiter()
    t = await buildTestApp({ dialect, deps: { limiter } })
    const tenant = await createTestTenant(t.db, { name: 'Acme Support' })
    tenantId = tenant.tenantId
    apiKey = tenant.apiKey
    const user = await createAdminUser(t.db, {
      tenantId,
      email: 'Admin@Acme.test',
      name: 'Ada Admin',
      password: PASSWORD,
    })
    userId = user.id
  })
  afterEach(async () => {
    await t.close()
  })

  /** The signed-in user as the API shows her. */
  const ada = () => ({
    id: userId,
    email: 'admin@acme.test',
    name: 'Ada Admin',
    tenant_id: tenantId,
    role: 'owner',
  })
  const login = (email: string, password: string, remoteAddress = '127.0.0.1') =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password },
      remoteAddress,
    })
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

  it('signs in with email (any case) and password and returns a bearer session', async () => {
    const res = await login('  admin@ACME.test ', PASSWORD)
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const body = res.json()
    expect(body).toEqual({
      token: expect.stringMatching(/^ases_[0-9A-Za-z]{43}$/),
      token_type: 'bearer',
      expires_at: expect.any(String),
      csrf_token: expect.stringMatching(/^[\w-]{43}$/),
      user: ada(),
    })
    const ttl = Date.parse(body.expires_at) - Date.now()
    expect(ttl).toBeGreaterThan(11.9 * 3600_000)
    expect(ttl).toBeLessThanOrEqual(12 * 3600_000)
    // Only the hash of the token is stored.
    const rows = await t.db.selectFrom('admin_sessions').selectAll().execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]!.token_hash).toBe(sha256Hex(body.token))
    expect(JSON.stringify(rows)).not.toContain(body.token)
  })

  it('the session works as Authorization: Bearer on /auth/me and on admin routes', async () => {
    const { token } = (await login('admin@acme.test', PASSWORD)).json()
    const me = await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toEqual({
      user: ada(),
      tenant: { id: tenantId, name: 'Acme Support' },
      scopes: expect.arrayContaining(['config:read', 'config:write', 'conversations:read']),
      expires_at: expect.any(String),
      csrf_token: expect.stringMatching(/^[\w-]{43}$/),
    })
    const list = await t.app.inject({ url: '/api/v1/conversations', headers: bearer(token) })
    expect(list.statusCode).toBe(200)
    expect(list.headers['x-ratelimit-limit']).toBe('300')
  })

  it('the session is a dashboard session on the admin routes (config, keys, knowledge, conversations)', async () => {
    const { token } = (await login('admin@acme.test', PASSWORD)).json()
    for (const [method, url, payload] of [
      ['GET', '/api/v1/voice-widget/config', undefined],
      [
        'PUT',
        '/api/v1/voice-widget/config',
        { enabled: true, display_title: 'Help', launcher_label: 'Ask' },
      ],
      ['GET', '/api/v1/voice-widget/ga-readiness', undefined],
      ['GET', '/api/v1/api-keys', undefined],
      ['GET', '/api/v1/knowledge/articles', undefined],
      ['POST', '/api/v1/knowledge/search', { question: 'How do I reset my password?' }],
      ['GET', '/api/v1/conversations', undefined],
    ] as const) {
      const res = await t.app.inject({
        method,
        url,
        headers: bearer(token),
        ...(payload ? { payload } : {}),
      })
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200)
    }
    const cfg = await t.app.inject({ url: '/api/v1/voice-widget/config', headers: bearer(token) })
    expect(cfg.json()).toMatchObject({ tenant_id: tenantId, display_title: 'Help' })
  })

  it('POST /api/v1/voice-widget/token accepts the session (LiveKit configured)', async () => {
    const lk = await buildTestApp({
      dialect,
      env: {
        LIVEKIT_URL: 'wss://lk.example.com',
        LIVEKIT_API_KEY: 'APIkey123',
        LIVEKIT_API_SECRET: 'a-livekit-secret-of-enough-length-0123456789',
      },
    })
    try {
      const tenant = await createTestTenant(lk.db)
      await createAdminUser(lk.db, {
        tenantId: tenant.tenantId,
        email: 'v@acme.test',
        password: PASSWORD,
      })
      const { token } = (
        await lk.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 'v@acme.test', password: PASSWORD },
        })
      ).json()
      const res = await lk.app.inject({
        method: 'POST',
        url: '/api/v1/voice-widget/token',
        headers: bearer(token),
      })
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json()).toMatchObject({
        livekit_url: 'wss://lk.example.com',
        expires_in_seconds: 3600,
      })
    } finally {
      await lk.close()
    }
  })

  it('wrong password and unknown email get the same generic 401', async () => {
    const wrong = await login('admin@acme.test', 'not the password')
    const unknown = await login('nobody@acme.test', PASSWORD)
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401)
      expect(res.json()).toEqual({ detail: 'Invalid email or password' })
    }
    expect(wrong.headers['www-authenticate']).toBe(unknown.headers['www-authenticate'])
    expect(await t.db.selectFrom('admin_sessions').selectAll().execute()).toHaveLength(0)
  })

  it.each([
    [{}, ['body', 'email']],
    [{ email: 'admin@acme.test' }, ['body', 'password']],
    [{ email: 'admin@acme.test', password: '' }, ['body', 'password']],
    [{ email: 42, password: PASSWORD }, ['body', 'email']],
  ])('422 for a malformed body %j', async (payload, loc) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload })
    expect(res.statusCode).toBe(422)
    expect(res.json().detail).toEqual(
      expect.arrayContaining([expect.objectContaining({ loc, type: expect.any(String) })]),
    )
  })

  it('malformed JSON is 400, not 500', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual({ detail: 'Malformed JSON body' })
  })

  it('throttles failures per address and email: after 10 the next attempt is 429, even with the right password', async () => {
    for (let i = 0; i < LOGIN_LIMITS.perEmail.limit; i++) {
      expect((await login('admin@acme.test', `guess number ${i}`)).statusCode).toBe(401)
    }
    const blocked = await login('ADMIN@acme.test', PASSWORD)
    expect(blocked.statusCode).toBe(429)
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0)
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(900)
    expect(blocked.json().detail).toMatch(
      /^Too many sign-in attempts\. Try again in \d+ seconds\.$/,
    )
    expect(await t.db.selectFrom('admin_sessions').selectAll().execute()).toHaveLength(0)
    // The account's owner signing in from another address is not locked out.
    expect((await login('admin@acme.test', PASSWORD, '10.0.0.7')).statusCode).toBe(200)
  })

  it('successful sign-ins never count: the 11th and 12th in a row succeed', {
    timeout: 60_000,
  }, async () => {
    for (let i = 0; i < LOGIN_LIMITS.perEmail.limit + 2; i++) {
      expect((await login('admin@acme.test', PASSWORD)).statusCode, `sign-in ${i + 1}`).toBe(200)
    }
  })

  it('throttles failures per address across emails (password spraying), that address only', async () => {
    for (let i = 0; i < LOGIN_LIMITS.perIp.limit; i++) {
      await limiter.consume(LOGIN_LIMITS.perIp, '10.9.9.9')
    }
    const blocked = await login('admin@acme.test', PASSWORD, '10.9.9.9')
    expect(blocked.statusCode).toBe(429)
    expect(blocked.headers['retry-after']).toBeDefined()
    expect((await login('admin@acme.test', PASSWORD, '10.9.9.10')).statusCode).toBe(200)
  })

  it('logout revokes the session at once; other sessions of the user keep working', async () => {
    const a = (await login('admin@acme.test', PASSWORD)).json().token
    const b = (await login('admin@acme.test', PASSWORD)).json().token
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(a),
    })
    expect(out.statusCode).toBe(204)
    expect(out.body).toBe('')
    for (const url of ['/api/v1/auth/me', '/api/v1/conversations']) {
      const res = await t.app.inject({ url, headers: bearer(a) })
      expect(res.statusCode).toBe(401)
      expect(res.json()).toEqual({ detail: 'Invalid or expired session' })
    }
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(a),
    })
    expect(again.statusCode).toBe(401)
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(b) })).statusCode).toBe(
      200,
    )
    const row = await t.db
      .selectFrom('admin_sessions')
      .selectAll()
      .where('token_hash', '=', sha256Hex(a))
      .executeTakeFirstOrThrow()
    expect(row.revoked_at).not.toBeNull()
  })

  it('an expired session is refused everywhere', async () => {
    const { token } = await createAdminSession(t.db, {
      userId,
      tenantId,
      ttlMs: 60_000,
      now: new Date(Date.now() - 61_000),
    })
    for (const [method, url] of [
      ['GET', '/api/v1/auth/me'],
      ['POST', '/api/v1/auth/logout'],
      ['GET', '/api/v1/conversations'],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: bearer(token) })
      expect(res.statusCode, url).toBe(401)
      expect(res.json()).toEqual({ detail: 'Invalid or expired session' })
    }
  })

  it('a session that has not yet expired works', async () => {
    const { token } = await createAdminSession(t.db, {
      userId,
      tenantId,
      ttlMs: 120_000,
      now: new Date(Date.now() - 61_000),
    })
    expect(
      (await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) })).statusCode,
    ).toBe(200)
  })

  it.each([
    ['no header', {}],
    [
      'a made-up token',
      { authorization: 'Bearer ases_0000000000000000000000000000000000000000000' },
    ],
    ['a malformed header', { authorization: 'Basic YWRtaW46cGFzcw==' }],
  ])('/auth/me and /auth/logout refuse %s with 401', async (_name, headers) => {
    for (const [method, url] of [
      ['GET', '/api/v1/auth/me'],
      ['POST', '/api/v1/auth/logout'],
    ] as const) {
      const res = await t.app.inject({ method, url, headers })
      expect(res.statusCode).toBe(401)
      expect(typeof res.json().detail).toBe('string')
    }
  })

  it('an API key is not a console session: /auth/me and /auth/logout are 403', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/auth/me'],
      ['POST', '/api/v1/auth/logout'],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: { 'x-api-key': apiKey } })
      expect(res.statusCode).toBe(403)
      expect(res.json()).toEqual({
        detail: 'This endpoint needs a console session, not an API key',
      })
    }
  })

  it('deleting the user ends their sessions', async () => {
    const { token } = (await login('admin@acme.test', PASSWORD)).json()
    await t.db.deleteFrom('admin_users').where('id', '=', userId).execute()
    expect(
      (await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) })).statusCode,
    ).toBe(401)
  })
})
