import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  putTestWidgetConfig,
  rotateTestIdentitySecret,
  TEST_SECRET,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { createScriptedAgent, ORIGIN, postWidget } from '../../../test/widget-support.ts'
import { computeUserHash } from '../../visitors/email-token.ts'

const URL = '/api/v1/widget/session'
const DENIED = { detail: 'Invalid widget credentials or widget disabled' }

function decode(token: string) {
  const [payload, sig] = token.split('.')
  return {
    payload: JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')),
    payloadB64: payload!,
    sig: sig!,
  }
}

forEachDialect('POST /api/v1/widget/session', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let b: TestTenant
  beforeAll(async () => {
    t = await buildTestApp({ dialect, deps: { agent: createScriptedAgent() } })
    a = await createTestTenant(t.db)
    b = await createTestTenant(t.db, {
      name: 'Beta',
      config: { enabled: true, allowed_origins: ['https://beta.test'] },
    })
  })
  afterAll(async () => t.close())

  const session = (body: Record<string, unknown>, origin: string = ORIGIN) =>
    postWidget(
      t.app,
      URL,
      { tenant_id: a.tenantId, public_key: a.publicKey, email: 'jane@example.com', ...body },
      origin,
    )

  it('answers the contract example with an HMAC-signed email_token', async () => {
    const before = Math.floor(Date.now() / 1000)
    const res = await session({ email: 'Jane@Example.com' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN)
    expect(res.headers.vary).toContain('Origin')
    expect(res.headers['cache-control']).toBe('no-store')
    expect(Object.keys(res.json())).toEqual(['email_token'])
    const token = res.json().email_token as string
    expect(token).toMatch(/^eyJ[A-Za-z0-9_-]+\.[0-9a-f]{64}$/)
    const { payload, payloadB64, sig } = decode(token)
    expect(payload.tid).toBe(a.tenantId)
    expect(payload.email).toBe('jane@example.com')
    expect(payload.iat).toBeGreaterThanOrEqual(before)
    expect(payload.exp - payload.iat).toBe(30 * 24 * 3600)
    expect(sig).toBe(createHmac('sha256', TEST_SECRET).update(payloadB64).digest('hex'))
  })

  it.each([
    ['not-an-email', 'email'],
    ['jane@', 'email'],
    ['', 'email'],
    [`${'x'.repeat(250)}@example.com`, 'email'],
  ])('refuses the invalid email %j with 422 naming it', async (email, field) => {
    const res = await session({ email })
    expect(res.statusCode).toBe(422)
    expect(res.json().detail).toEqual(
      expect.arrayContaining([expect.objectContaining({ loc: ['body', field] })]),
    )
  })

  it.each(['tenant_id', 'public_key', 'email'])(
    'answers 422 naming a missing %s',
    async (field) => {
      const body: Record<string, unknown> = {
        tenant_id: a.tenantId,
        public_key: a.publicKey,
        email: 'jane@example.com',
      }
      delete body[field]
      const res = await postWidget(t.app, URL, body)
      expect(res.statusCode).toBe(422)
      expect(res.json()).toEqual({
        detail: [{ type: 'missing', loc: ['body', field], msg: 'Field required' }],
      })
    },
  )

  it('answers 422 for a wrong type', async () => {
    const res = await session({ email: 42 })
    expect(res.statusCode).toBe(422)
    expect(res.json().detail[0]).toMatchObject({ type: 'string_type', loc: ['body', 'email'] })
  })

  it.each([
    'https://example.com.evil.test',
    'http://example.com',
    'https://example.com:8443',
    'https://evil.test',
    'null',
  ])('refuses the origin %s with 403 and no CORS grant', async (origin) => {
    const res = await session({}, origin)
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({ detail: 'Origin not allowed' })
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('refuses a missing Origin', async () => {
    const res = await postWidget(
      t.app,
      URL,
      { tenant_id: a.tenantId, public_key: a.publicKey, email: 'jane@example.com' },
      null,
    )
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({ detail: 'Origin not allowed' })
  })

  it("refuses tenant B's key with tenant A's id, and unknown tenants, with one body", async () => {
    const cross = await session({ public_key: b.publicKey })
    const unknown = await session({ tenant_id: '00000000-0000-4000-8000-000000000000' })
    const garbage = await session({ tenant_id: 'not-a-uuid' })
    for (const res of [cross, unknown, garbage]) {
      expect(res.statusCode).toBe(403)
      expect(res.json()).toEqual(DENIED)
    }
  })

  it('answers CORS preflights for allowed origins only', async () => {
    const ok = await t.app.inject({
      method: 'OPTIONS',
      url: URL,
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    })
    expect(ok.statusCode).toBe(204)
    expect(ok.headers['access-control-allow-origin']).toBe(ORIGIN)
    expect(ok.headers['access-control-allow-methods']).toContain('POST')
    expect(ok.headers.vary).toContain('Origin')
    const evil = await t.app.inject({
      method: 'OPTIONS',
      url: URL,
      headers: { origin: 'https://example.com.evil.test', 'access-control-request-method': 'POST' },
    })
    expect(evil.headers['access-control-allow-origin']).toBeUndefined()
  })

  describe('identity verification', () => {
    let v: TestTenant
    beforeAll(async () => {
      v = await createTestTenant(t.db, {
        name: 'Verified',
        config: {
          enabled: true,
          allowed_origins: [ORIGIN],
          identity_verification_required: true,
        },
      })
    })
    const post = (body: Record<string, unknown>) =>
      postWidget(t.app, URL, {
        tenant_id: v.tenantId,
        public_key: v.publicKey,
        email: 'Pat@Example.com',
        ...body,
      })
    const FAILED = { detail: 'Identity verification failed: user_hash is missing or invalid' }

    it('needs user_hash = HMAC-SHA256(email, identity secret)', async () => {
      const missing = await post({})
      expect(missing.statusCode).toBe(403)
      expect(missing.json()).toEqual(FAILED)
      const wrong = await post({ user_hash: computeUserHash('another-secret', 'Pat@Example.com') })
      expect(wrong.statusCode).toBe(403)
      expect(wrong.json()).toEqual(FAILED)
      const garbage = await post({ user_hash: 'zz' })
      expect(garbage.statusCode).toBe(403)
      const otherEmail = await post({
        user_hash: computeUserHash(v.tenant.identity_secret, 'someone@example.com'),
      })
      expect(otherEmail.statusCode).toBe(403)
      for (const email of ['Pat@Example.com', 'pat@example.com']) {
        const ok = await post({ user_hash: computeUserHash(v.tenant.identity_secret, email) })
        expect(ok.statusCode).toBe(200)
        expect(decode(ok.json().email_token).payload.email).toBe('pat@example.com')
      }
    })

    it('invalidates tokens when the identity secret rotates or verification is turned on', async () => {
      const ok = await post({
        user_hash: computeUserHash(v.tenant.identity_secret, 'pat@example.com'),
      })
      const token = ok.json().email_token as string
      const history = (tok: string, tenant: TestTenant) =>
        t.app.inject({
          url: `/api/v1/widget/history?tenant_id=${tenant.tenantId}&public_key=${tenant.publicKey}&email_token=${tok}`,
          headers: { origin: ORIGIN },
        })
      expect((await history(token, v)).statusCode).toBe(200)
      await rotateTestIdentitySecret(t.app, v)
      const after = await history(token, v)
      expect(after.statusCode).toBe(401)
      expect(after.json()).toEqual({ detail: 'Invalid or expired email token' })

      // A tenant that starts requiring verification no longer honours tokens issued without it.
      const c = await createTestTenant(t.db, { name: 'Gamma' })
      const plain = await postWidget(t.app, URL, {
        tenant_id: c.tenantId,
        public_key: c.publicKey,
        email: 'x@example.com',
      })
      const plainToken = plain.json().email_token as string
      expect((await history(plainToken, c)).statusCode).toBe(200)
      await putTestWidgetConfig(t.app, c, {
        allowed_origins: [ORIGIN],
        identity_verification_required: true,
      })
      expect((await history(plainToken, c)).statusCode).toBe(401)
    })

    it('checks a user_hash sent to a tenant that does not require it', async () => {
      const res = await session({ user_hash: 'ab'.repeat(32) })
      expect(res.statusCode).toBe(403)
    })
  })

  it('limits sessions to 30 per minute per IP with the contract headers', async () => {
    const own = await buildTestApp({ dialect, deps: { agent: createScriptedAgent() } })
    try {
      const c = await createTestTenant(own.db)
      const send = () =>
        postWidget(own.app, URL, {
          tenant_id: c.tenantId,
          public_key: c.publicKey,
          email: 'jane@example.com',
        })
      for (let i = 0; i < 30; i++) {
        const res = await send()
        expect(res.statusCode).toBe(200)
        expect(res.headers['x-ratelimit-remaining']).toBe(String(29 - i))
      }
      const limited = await send()
      expect(limited.statusCode).toBe(429)
      expect(limited.json()).toEqual({ detail: 'Rate limit exceeded', limit: 30 })
      expect(limited.headers['x-ratelimit-limit']).toBe('30')
      expect(limited.headers['x-ratelimit-remaining']).toBe('0')
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
      expect(limited.headers['access-control-allow-origin']).toBe(ORIGIN)
      // Another client address has its own bucket.
      const other = await own.app.inject({
        method: 'POST',
        url: URL,
        remoteAddress: '10.9.8.7',
        headers: { origin: ORIGIN },
        payload: { tenant_id: c.tenantId, public_key: c.publicKey, email: 'jane@example.com' },
      })
      expect(other.statusCode).toBe(200)
    } finally {
      await own.close()
    }
  })
})
