import { afterEach, beforeEach, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
} from '../../../test/helpers.ts'
import { totpCode } from '../../admin-users/two-factor.ts'
import { createAdminUser } from '../../admin-users/user-repo.ts'
import { createMemoryRateLimiter } from '../../limits/memory-rate-limiter.ts'

const PASSWORD = 'correct horse battery staple'
const EMAIL = 'ada@acme.test'

forEachDialect('console two-factor sign-in', (dialect) => {
  let t: TestApp
  let tenantId: string
  let apiKey: string

  beforeEach(async () => {
    t = await buildTestApp({ dialect, deps: { limiter: createMemoryRateLimiter() } })
    const tenant = await createTestTenant(t.db, { name: 'Acme' })
    tenantId = tenant.tenantId
    apiKey = tenant.apiKey
    await createAdminUser(t.db, { tenantId, email: EMAIL, password: PASSWORD })
  })
  afterEach(async () => {
    await t.close()
  })

  const login = (body: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: EMAIL, password: PASSWORD, ...body },
    })
  const signIn = async (code?: string) => {
    const res = await login(code === undefined ? {} : { code })
    expect(res.statusCode, res.body).toBe(200)
    return res.json().token as string
  }
  const call = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    t.app.inject({
      method,
      url: `/api/v1/auth/two-factor${url}`,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    })
  const auditActions = async () =>
    (
      await t.db
        .selectFrom('audit_log')
        .select('action')
        .where('tenant_id', '=', tenantId)
        .orderBy('id')
        .execute()
    ).map((r) => r.action)

  /** Sets up and confirms an authenticator; returns its secret and the recovery codes. */
  const enroll = async (token: string) => {
    const setup = await call(token, 'POST', '/setup', { password: PASSWORD })
    expect(setup.statusCode, setup.body).toBe(200)
    const { secret } = setup.json()
    // The instant whose code confirmed the setup: a test that straddles a 30 s step still
    // knows which code has been used.
    const confirmedAt = Date.now()
    const on = await call(token, 'POST', '/enable', { code: totpCode(secret, confirmedAt) })
    expect(on.statusCode, on.body).toBe(200)
    return {
      secret: secret as string,
      confirmedAt,
      recovery: on.json().recovery_codes as string[],
    }
  }

  it('sets up an app: password asked again, secret + otpauth URI + QR, confirmed by a code', async () => {
    const token = await signIn()
    expect((await call(token, 'GET', '')).json()).toEqual({
      enabled: false,
      enabled_at: null,
      recovery_codes_remaining: 0,
    })
    const wrong = await call(token, 'POST', '/setup', { password: 'not it' })
    expect(wrong.statusCode).toBe(403)
    expect(wrong.json()).toEqual({ detail: 'Wrong password' })
    expect((await call(token, 'POST', '/enable', { code: '123456' })).statusCode).toBe(409)

    const setup = await call(token, 'POST', '/setup', { password: PASSWORD })
    expect(setup.statusCode).toBe(200)
    expect(setup.headers['cache-control']).toBe('no-store')
    const body = setup.json()
    expect(body.secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(body.otpauth_uri).toBe(
      `otpauth://totp/Aurion:ada%40acme.test?issuer=Aurion&secret=${body.secret}&algorithm=SHA1&digits=6&period=30`,
    )
    expect(body.qr_svg).toMatch(/^<svg[^>]*>[\s\S]*<\/svg>$/)
    // Pending only: sign-in asks for nothing yet.
    await signIn()

    const bad = await call(token, 'POST', '/enable', { code: '000000' })
    expect(bad.statusCode).toBe(403)
    expect(bad.json()).toEqual({ detail: 'Invalid or already used code' })
    const on = await call(token, 'POST', '/enable', { code: totpCode(body.secret) })
    expect(on.statusCode).toBe(200)
    const codes: string[] = on.json().recovery_codes
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    for (const c of codes) expect(c).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/)
    const state = (await call(token, 'GET', '')).json()
    expect(state).toMatchObject({ enabled: true, recovery_codes_remaining: 10 })
    expect(Date.parse(state.enabled_at)).toBeGreaterThan(Date.now() - 60_000)
    expect((await call(token, 'POST', '/setup', { password: PASSWORD })).statusCode).toBe(409)

    // Neither the secret nor a recovery code is stored readable.
    const stored = JSON.stringify([
      await t.db.selectFrom('admin_users').selectAll().execute(),
      await t.db.selectFrom('admin_recovery_codes').selectAll().execute(),
    ])
    expect(stored).not.toContain(body.secret)
    for (const c of codes) {
      expect(stored).not.toContain(c)
      expect(stored).not.toContain(c.replace('-', ''))
    }
    expect(await auditActions()).toContain('console.two_factor_enabled')
  })

  it('sign-in then needs a code; each code works once (a replay in its window is refused)', async () => {
    const { secret, confirmedAt } = await enroll(await signIn())
    const none = await login({})
    expect(none.statusCode).toBe(401)
    expect(none.json()).toEqual({
      detail: 'Enter the code from your authenticator app',
      two_factor_required: true,
    })
    // A wrong password with a right code is still just a wrong password.
    const wrongPassword = await login({ password: 'nope', code: totpCode(secret) })
    expect(wrongPassword.json()).toEqual({ detail: 'Invalid email or password' })

    // The code that confirmed the setup (this step) cannot sign in.
    const confirmStep = await login({ code: totpCode(secret, confirmedAt) })
    expect(confirmStep.statusCode).toBe(401)
    expect(confirmStep.json()).toEqual({ detail: 'Invalid or already used code' })
    // The next step's code (within the accepted window) signs in, once.
    const next = totpCode(secret, confirmedAt + 30_000)
    await signIn(next)
    const replay = await login({ code: next })
    expect(replay.statusCode).toBe(401)
    expect(replay.json()).toEqual({ detail: 'Invalid or already used code' })
    // An older code is no better.
    expect((await login({ code: totpCode(secret, confirmedAt - 30_000) })).statusCode).toBe(401)
    expect((await auditActions()).filter((a) => a === 'console.two_factor_failed')).toHaveLength(3)
  })

  it('five wrong codes lock the user out of codes (429), even with the right one next', async () => {
    const { secret } = await enroll(await signIn())
    for (let i = 0; i < 5; i++) {
      const res = await login({ code: String(100000 + i) })
      expect(res.statusCode).toBe(401)
    }
    const locked = await login({ code: totpCode(secret, Date.now() + 30_000) })
    expect(locked.statusCode).toBe(429)
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0)
    // Also from another address, and for a recovery code.
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: EMAIL, password: PASSWORD, code: 'aaaaa-aaaaa' },
      remoteAddress: '203.0.113.9',
    })
    expect(elsewhere.statusCode).toBe(429)
    expect((await auditActions()).filter((a) => a === 'console.two_factor_failed')).toHaveLength(5)
  })

  it('a recovery code signs in once (any case, with or without the dash)', async () => {
    const token = await signIn()
    const { recovery } = await enroll(token)
    const code = recovery[3]!
    await signIn(` ${code.toUpperCase().replace('-', ' ')} `)
    const again = await login({ code })
    expect(again.statusCode).toBe(401)
    expect(again.json()).toEqual({ detail: 'Invalid or already used code' })
    expect((await call(token, 'GET', '')).json().recovery_codes_remaining).toBe(9)
    await signIn(recovery[4]!)
    expect(await auditActions()).toEqual(
      expect.arrayContaining(['console.recovery_code_used', 'console.two_factor_failed']),
    )
    // A well-formed code that was never issued.
    expect((await login({ code: 'abcde-fghij' })).statusCode).toBe(401)
  })

  it('turns off with a code or the password, never with neither or a wrong one', async () => {
    const token = await signIn()
    const { secret, recovery } = await enroll(token)
    expect((await call(token, 'POST', '/disable', {})).statusCode).toBe(400)
    expect(
      (await call(token, 'POST', '/disable', { code: recovery[0]!, password: PASSWORD }))
        .statusCode,
    ).toBe(400)
    const wrong = await call(token, 'POST', '/disable', { password: 'wrong' })
    expect(wrong.statusCode).toBe(403)
    // 403, not 401: the console stays signed in.
    const badCode = await call(token, 'POST', '/disable', { code: '999999' })
    expect(badCode.statusCode).toBe(403)
    expect((await call(token, 'POST', '/disable', { password: PASSWORD })).statusCode).toBe(204)
    expect((await call(token, 'GET', '')).json()).toEqual({
      enabled: false,
      enabled_at: null,
      recovery_codes_remaining: 0,
    })
    expect(await t.db.selectFrom('admin_recovery_codes').selectAll().execute()).toEqual([])
    await signIn()
    expect((await call(token, 'POST', '/disable', { password: PASSWORD })).statusCode).toBe(409)

    // On again, then off with an app code.
    const second = await enroll(token)
    expect(second.secret).not.toBe(secret)
    const off = await call(token, 'POST', '/disable', {
      code: totpCode(second.secret, Date.now() + 30_000),
    })
    expect(off.statusCode).toBe(204)
    expect(await auditActions()).toEqual(
      expect.arrayContaining(['console.two_factor_enabled', 'console.two_factor_disabled']),
    )
  })

  it('is for signed-in people: an API key gets 403, no credential 401', async () => {
    for (const [method, url] of [
      ['GET', ''],
      ['POST', '/setup'],
      ['POST', '/enable'],
      ['POST', '/disable'],
    ] as const) {
      const withKey = await t.app.inject({
        method,
        url: `/api/v1/auth/two-factor${url}`,
        headers: { 'x-api-key': apiKey },
        ...(method === 'POST' ? { payload: { password: PASSWORD } } : {}),
      })
      expect(withKey.statusCode, url).toBe(403)
      const anonymous = await t.app.inject({ method, url: `/api/v1/auth/two-factor${url}` })
      expect(anonymous.statusCode, url).toBe(401)
    }
  })
})
