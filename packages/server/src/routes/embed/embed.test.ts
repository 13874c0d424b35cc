import { PUBLIC_CONFIG_FIELDS } from '@aurion/contract'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { addMember } from '../../../test/team-support.ts'
import { ORIGIN, postWidget } from '../../../test/widget-support.ts'
import { BAD_ORIGIN, DENIED, expectValidVoiceToken, freshIp, LK } from './embed-test-support.ts'

forEachDialect('embed config', (dialect) => {
  let t: TestApp
  let tenant: TestTenant
  let other: TestTenant
  beforeAll(async () => {
    t = await buildTestApp({ dialect, env: LK })
    tenant = await createTestTenant(t.db, {
      config: {
        enabled: true,
        display_title: 'Acme Help',
        launcher_label: 'Ask us',
        allowed_origins: [ORIGIN, 'https://app.example.com'],
        primary_color: '#112233',
        mode: 'both',
        agent_instructions: 'internal instructions',
        welcome_text_translations: { de: 'Hallo!' },
      },
    })
    other = await createTestTenant(t.db, { name: 'Other' })
  })
  afterAll(async () => t.close())

  const post = (payload: unknown, origin: string | null = ORIGIN, ip = freshIp()) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/voice-widget/embed/config',
      headers: origin === null ? {} : { origin },
      remoteAddress: ip,
      payload: payload as Record<string, unknown>,
    })

  it('returns exactly the public fields, with CORS for the allowed origin', async () => {
    const res = await post({ tenant_id: tenant.tenantId, public_key: tenant.publicKey })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(Object.keys(body).sort()).toEqual(
      [...PUBLIC_CONFIG_FIELDS, 'voice_available', 'handoff_quick_action'].sort(),
    )
    expect(body).toMatchObject({
      display_title: 'Acme Help',
      launcher_label: 'Ask us',
      primary_color: '#112233',
      mode: 'both',
      welcome_text_translations: { de: 'Hallo!' },
      voice_available: true,
    })
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN)
    expect(res.headers.vary).toMatch(/Origin/)
    expect(res.headers['cache-control']).toBe('no-store')
  })

  it('never carries the public key, identity secret, API key or private settings', async () => {
    const res = await post({ tenant_id: tenant.tenantId, public_key: tenant.publicKey })
    const text = res.body
    expect(text).not.toContain(tenant.publicKey)
    expect(text).not.toContain(tenant.tenant.identity_secret)
    expect(text).not.toContain(tenant.apiKey)
    expect(text).not.toContain('vwk_')
    expect(text).not.toContain('internal instructions')
    for (const k of [
      'public_widget_key',
      'identity_secret',
      'allowed_origins',
      'agent_instructions',
      'voice_auth_enabled',
      'enabled',
    ]) {
      expect(res.json()).not.toHaveProperty(k)
    }
  })

  it('reports voice_available false when LiveKit is not configured', async () => {
    const noLk = await buildTestApp({ dialect })
    try {
      const tt = await createTestTenant(noLk.db)
      const res = await postWidget(noLk.app, '/api/v1/voice-widget/embed/config', {
        tenant_id: tt.tenantId,
        public_key: tt.publicKey,
      })
      expect(res.statusCode).toBe(200)
      expect(res.json().voice_available).toBe(false)
    } finally {
      await noLk.close()
    }
  })

  it('answers one 403 body for unknown tenant, wrong key, another tenant’s key and a disabled widget', async () => {
    const disabled = await createTestTenant(t.db, {
      config: { enabled: false, allowed_origins: [ORIGIN] },
    })
    const cases = [
      { tenant_id: '00000000-0000-4000-8000-000000000000', public_key: tenant.publicKey },
      { tenant_id: tenant.tenantId, public_key: 'vwk_000000000000000000000000' },
      { tenant_id: tenant.tenantId, public_key: other.publicKey },
      { tenant_id: disabled.tenantId, public_key: disabled.publicKey },
      { tenant_id: 'not-a-uuid', public_key: tenant.publicKey },
    ]
    for (const c of cases) {
      const res = await post(c)
      expect(res.statusCode).toBe(403)
      expect(res.json()).toEqual(DENIED)
    }
  })

  it('refuses origin look-alikes, a missing origin and "null"', async () => {
    for (const origin of [
      'https://example.com.evil.test',
      'http://example.com',
      'https://example.com:8443',
      'https://evil.example.com',
      'null',
      'https://example.com/path',
      null,
    ]) {
      const res = await post({ tenant_id: tenant.tenantId, public_key: tenant.publicKey }, origin)
      expect(res.statusCode, String(origin)).toBe(403)
      expect(res.json()).toEqual(BAD_ORIGIN)
      expect(res.headers['access-control-allow-origin']).toBeUndefined()
    }
  })

  it('answers a preflight from an allowed origin', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/voice-widget/embed/config',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    })
    expect(res.statusCode).toBe(204)
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN)
    expect(res.headers['access-control-allow-methods']).toContain('POST')
  })

  it('422 names a missing or mistyped field', async () => {
    const res = await post({ public_key: tenant.publicKey })
    expect(res.statusCode).toBe(422)
    expect(res.json().detail).toContainEqual(
      expect.objectContaining({ loc: ['body', 'tenant_id'], type: 'missing' }),
    )
    const res2 = await post({ tenant_id: tenant.tenantId, public_key: 42 })
    expect(res2.statusCode).toBe(422)
    expect(res2.json().detail[0].loc).toEqual(['body', 'public_key'])
  })

  it('is rate limited per client IP (120/minute) with the contract’s 429 headers', async () => {
    const ip = freshIp()
    const payload = { tenant_id: tenant.tenantId, public_key: tenant.publicKey }
    for (let i = 0; i < 120; i++) {
      const ok = await post(payload, ORIGIN, ip)
      expect(ok.statusCode).toBe(200)
    }
    const res = await post(payload, ORIGIN, ip)
    expect(res.statusCode).toBe(429)
    expect(res.json()).toEqual({ detail: 'Rate limit exceeded', limit: 120 })
    expect(res.headers['x-ratelimit-limit']).toBe('120')
    expect(res.headers['x-ratelimit-remaining']).toBe('0')
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    expect((await post(payload, ORIGIN, freshIp())).statusCode).toBe(200)
  })
})

forEachDialect('authenticated voice token', (dialect) => {
  let t: TestApp
  let tenant: TestTenant
  beforeAll(async () => {
    t = await buildTestApp({ dialect, env: LK })
    tenant = await createTestTenant(t.db)
  })
  afterAll(async () => t.close())

  const post = (headers: Record<string, string>, payload?: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/voice-widget/token', headers, payload })

  it('mints a pre-authenticated token for an API key with config:write', async () => {
    const key = await createTestTenant(t.db, { scopes: ['config:write'] })
    const res = await post({ 'x-api-key': key.apiKey })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.pre_authenticated).toBe(true)
    expect(body.participant_identity).toMatch(/^apikey_key_/)
    const { meta } = await expectValidVoiceToken(body, key.tenantId)
    expect(meta.source).toBe('api')
  })

  it('derives the identity from a dashboard session and ignores an empty JSON body', async () => {
    const { user, headers } = await addMember(t.db, tenant.tenantId, 'owner')
    const res = await post({ ...headers, 'content-type': 'application/json' }, '')
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.participant_identity).toBe(`user_${user.id}`)
    const { meta } = await expectValidVoiceToken(body, tenant.tenantId)
    expect(meta.source).toBe('dashboard')
  })

  it('403 with the contract body for a key without config:write; 401 without credentials', async () => {
    const readOnly = await createTestTenant(t.db, { scopes: ['config:read'] })
    const res = await post({ 'x-api-key': readOnly.apiKey })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({ detail: 'API key missing required scope: config:write' })
    const anon = await post({})
    expect(anon.statusCode).toBe(401)
    expect(anon.json()).toHaveProperty('detail')
    const bad = await post({ 'x-api-key': 'itsm_sk_live_nope' })
    expect(bad.statusCode).toBe(401)
  })

  it('allows 5 tokens a minute per principal; the 6th is 429 with the contract headers', async () => {
    const a = await createTestTenant(t.db, { scopes: ['config:write'] })
    for (let i = 0; i < 5; i++) {
      const ok = await post({ 'x-api-key': a.apiKey })
      expect(ok.statusCode).toBe(200)
      expect(ok.headers['x-ratelimit-limit']).toBe('5')
      expect(ok.headers['x-ratelimit-remaining']).toBe(String(4 - i))
    }
    const res = await post({ 'x-api-key': a.apiKey })
    expect(res.statusCode).toBe(429)
    expect(res.json()).toEqual({ detail: 'Rate limit exceeded', limit: 5 })
    expect(res.headers['x-ratelimit-limit']).toBe('5')
    expect(res.headers['x-ratelimit-remaining']).toBe('0')
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    // Another principal has its own budget.
    const b = await createTestTenant(t.db, { scopes: ['config:write'] })
    expect((await post({ 'x-api-key': b.apiKey })).statusCode).toBe(200)
  })

  it('503 {"detail"} when LiveKit is not configured', async () => {
    const noLk = await buildTestApp({ dialect })
    try {
      const tt = await createTestTenant(noLk.db)
      const res = await noLk.app.inject({
        method: 'POST',
        url: '/api/v1/voice-widget/token',
        headers: { 'x-api-key': tt.apiKey },
      })
      expect(res.statusCode).toBe(503)
      expect(res.json().detail).toMatch(/LiveKit/)
    } finally {
      await noLk.close()
    }
  })
})
