import {
  buildEmbedSnippet,
  VoiceWidgetConfigResponse,
  WIDGET_CONFIG_DEFAULTS,
} from '@aurion/contract'
import { describe, expect, it } from 'vitest'
import { forEachDialect } from '../../../test/helpers.ts'
import { revokeApiKey } from '../../auth/api-key-repo.ts'
import { findTenantById, findTenantByPublicKey } from '../../tenants/tenant-repo.ts'

import {
  CONFIG,
  CONTRACT_EXAMPLE,
  MISSING_READ,
  MISSING_WRITE,
  PUBLIC_KEY_RE,
  PUBLIC_URL,
  READINESS,
  REGENERATE,
  REQUIRED,
  ROTATE_SECRET,
  useAdminConfigApp,
} from './admin-config-fixture.ts'

forEachDialect('admin voice-widget API', (dialect) => {
  const f = useAdminConfigApp(dialect)
  const { call, tenantWith, keyWith } = f

  describe('GET /config', () => {
    it('returns the full VoiceWidgetConfigResponse with every default, key, loader URL and snippet', async () => {
      const a = await tenantWith({})
      const res = await call('GET', CONFIG, a.apiKey)
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toMatch(/^application\/json/)
      expect(res.headers['x-ratelimit-limit']).toBe('300')
      expect(res.headers['x-ratelimit-remaining']).toBe('299')
      const body = res.json()
      expect(Object.keys(body).sort()).toEqual(
        Object.keys(VoiceWidgetConfigResponse.properties).sort(),
      )
      const tenant = (await findTenantById(f.t.db, a.tenantId))!
      expect(body).toEqual({
        ...WIDGET_CONFIG_DEFAULTS,
        tenant_id: a.tenantId,
        public_widget_key: a.publicKey,
        embed_script_url: `${PUBLIC_URL}/api/v1/voice-widget/embed/aurion.js`,
        embed_snippet: buildEmbedSnippet({
          tenantId: a.tenantId,
          publicKey: a.publicKey,
          apiBaseUrl: PUBLIC_URL,
        }),
        updated_at: tenant.updated_at,
      })
      expect(body.public_widget_key).toMatch(PUBLIC_KEY_RE)
      expect(body.embed_snippet).toContain(`appId: '${a.tenantId}'`)
      expect(body.embed_snippet).toContain(`publicKey: '${a.publicKey}'`)
      expect(body.embed_snippet).toContain(`apiBaseUrl: '${PUBLIC_URL}'`)
    })

    it('accepts the key as a Bearer token too, and answers HEAD', async () => {
      const a = await tenantWith()
      const bearer = await f.t.app.inject({
        method: 'GET',
        url: CONFIG,
        headers: { authorization: `Bearer ${a.apiKey}` },
      })
      expect(bearer.statusCode).toBe(200)
      expect(bearer.json().tenant_id).toBe(a.tenantId)
      const head = await call('HEAD', CONFIG, a.apiKey)
      expect(head.statusCode).toBe(200)
      expect(head.body).toBe('')
    })
  })

  describe('authentication (401)', () => {
    it.each([
      ['no key', {}, 'Not authenticated'],
      ['an empty key', { 'x-api-key': '' }, 'Not authenticated'],
      [
        'an unknown key',
        { 'x-api-key': 'itsm_sk_live_000000000000000000000000000000000000' },
        'Invalid or revoked API key',
      ],
      ['garbage', { 'x-api-key': 'hello' }, 'Invalid or revoked API key'],
      [
        'an unknown Bearer key',
        { authorization: 'Bearer itsm_sk_live_nope' },
        'Invalid or revoked API key',
      ],
      ['a malformed Authorization header', { authorization: 'Basic abc' }, 'Not authenticated'],
      [
        'an unknown session token',
        { authorization: 'Bearer abc.def' },
        'Invalid or expired session',
      ],
    ])('refuses %s on every route', async (_name, headers, detail) => {
      for (const [method, url] of [
        ['GET', CONFIG],
        ['PUT', CONFIG],
        ['POST', REGENERATE],
        ['POST', ROTATE_SECRET],
        ['GET', READINESS],
      ] as const) {
        const res = await f.t.app.inject({ method, url, headers, payload: REQUIRED })
        expect(res.statusCode, `${method} ${url}`).toBe(401)
        expect(res.json()).toEqual({ detail })
        expect(res.headers['www-authenticate']).toBeDefined()
      }
    })

    it('refuses a revoked key at once', async () => {
      const a = await tenantWith()
      expect((await call('GET', CONFIG, a.apiKey)).statusCode).toBe(200)
      const [row] = await f.t.db
        .selectFrom('api_keys')
        .select('id')
        .where('tenant_id', '=', a.tenantId)
        .execute()
      await revokeApiKey(f.t.db, a.tenantId, row!.id)
      const res = await call('GET', CONFIG, a.apiKey)
      expect(res.statusCode).toBe(401)
      expect(res.json()).toEqual({ detail: 'Invalid or revoked API key' })
      expect((await call('PUT', CONFIG, a.apiKey, REQUIRED)).statusCode).toBe(401)
    })
  })

  describe('required scopes (contract table)', () => {
    it('config:read reads but cannot write', async () => {
      const a = await tenantWith()
      const key = await keyWith(a, ['config:read'])
      expect((await call('GET', CONFIG, key)).statusCode).toBe(200)
      expect((await call('HEAD', CONFIG, key)).statusCode).toBe(200)
      expect((await call('GET', READINESS, key)).statusCode).toBe(200)
      for (const [method, url, body] of [
        ['PUT', CONFIG, REQUIRED],
        ['POST', REGENERATE, undefined],
        ['POST', ROTATE_SECRET, undefined],
      ] as const) {
        const res = await call(method, url, key, body)
        expect(res.statusCode, `${method} ${url}`).toBe(403)
        expect(res.json()).toEqual(MISSING_WRITE)
        expect(res.headers['content-type']).toMatch(/^application\/json/)
      }
      expect((await findTenantById(f.t.db, a.tenantId))!.public_widget_key).toBe(a.publicKey)
    })

    it('config:write writes but cannot read', async () => {
      const a = await tenantWith()
      const key = await keyWith(a, ['config:write'])
      expect((await call('PUT', CONFIG, key, REQUIRED)).statusCode).toBe(200)
      expect((await call('POST', REGENERATE, key)).statusCode).toBe(200)
      for (const url of [CONFIG, READINESS]) {
        const res = await call('GET', url, key)
        expect(res.statusCode).toBe(403)
        expect(res.json()).toEqual(MISSING_READ)
      }
      expect((await call('HEAD', CONFIG, key)).statusCode).toBe(403)
    })

    it('other scopes give no access to the config', async () => {
      const a = await tenantWith()
      const key = await keyWith(a, ['knowledge:read', 'knowledge:write', 'conversations:read'])
      expect((await call('GET', CONFIG, key)).json()).toEqual(MISSING_READ)
      expect((await call('PUT', CONFIG, key, REQUIRED)).json()).toEqual(MISSING_WRITE)
    })

    it('checks the scope before the body: a read-only key gets 403, not 422', async () => {
      const a = await tenantWith()
      const key = await keyWith(a, ['config:read'])
      const res = await call('PUT', CONFIG, key, { nonsense: true })
      expect(res.statusCode).toBe(403)
      expect(res.json()).toEqual(MISSING_WRITE)
    })
  })

  describe('POST /config/regenerate-key', () => {
    it('issues a new key and snippet; the old key stops working at once', async () => {
      const a = await tenantWith()
      const res = await call('POST', REGENERATE, a.apiKey)
      expect(res.statusCode).toBe(200)
      expect(res.headers['x-ratelimit-limit']).toBe('300')
      const body = res.json()
      expect(Object.keys(body).sort()).toEqual(['embed_snippet', 'public_widget_key'])
      expect(body.public_widget_key).toMatch(PUBLIC_KEY_RE)
      expect(body.public_widget_key).not.toBe(a.publicKey)
      expect(body.embed_snippet).toBe(
        buildEmbedSnippet({
          tenantId: a.tenantId,
          publicKey: body.public_widget_key,
          apiBaseUrl: PUBLIC_URL,
        }),
      )
      expect(await findTenantByPublicKey(f.t.db, a.publicKey)).toBeUndefined()
      expect((await findTenantByPublicKey(f.t.db, body.public_widget_key))?.id).toBe(a.tenantId)
      expect((await call('GET', CONFIG, a.apiKey)).json().public_widget_key).toBe(
        body.public_widget_key,
      )
      expect(f.events).toEqual([
        { type: 'tenant.config_changed', tenantId: a.tenantId },
        { type: 'tenant.sockets_revoked', tenantId: a.tenantId, reason: 'key_regenerated' },
      ])
    })

    it('keeps the admin API key and the rest of the config', async () => {
      const a = await tenantWith()
      await call('PUT', CONFIG, a.apiKey, CONTRACT_EXAMPLE)
      const first = (await call('POST', REGENERATE, a.apiKey)).json().public_widget_key
      const second = (await call('POST', REGENERATE, a.apiKey)).json().public_widget_key
      expect(second).not.toBe(first)
      expect((await call('GET', CONFIG, a.apiKey)).json()).toMatchObject({
        ...CONTRACT_EXAMPLE,
        public_widget_key: second,
      })
    })
  })

  describe('POST /config/rotate-identity-secret', () => {
    it('replaces the identity secret and shows the new one this once', async () => {
      const a = await tenantWith()
      const before = (await findTenantById(f.t.db, a.tenantId))!.identity_secret
      const res = await call('POST', ROTATE_SECRET, a.apiKey)
      expect(res.statusCode).toBe(200)
      const { identity_secret } = res.json()
      expect(identity_secret).toMatch(/^[0-9a-f]{64}$/)
      expect(identity_secret).not.toBe(before)
      expect((await findTenantById(f.t.db, a.tenantId))!.identity_secret).toBe(identity_secret)
      const after = await call('GET', CONFIG, a.apiKey)
      expect(after.json()).not.toHaveProperty('identity_secret')
      expect(after.body).not.toContain(identity_secret)
      expect(f.events).toEqual([{ type: 'tenant.config_changed', tenantId: a.tenantId }])
    })

    // The attack: a read-only key (a dashboard embed, a CI job) reads the secret from GET /config,
    // computes user_hash for any email and signs in as that visitor.
    it('never lets a config:read key see or take the secret', async () => {
      const a = await tenantWith()
      const reader = await keyWith(a, ['config:read'])
      const secret = (await findTenantById(f.t.db, a.tenantId))!.identity_secret
      for (const method of ['GET', 'HEAD'] as const) {
        const res = await call(method, CONFIG, reader)
        expect(res.statusCode).toBe(200)
        expect(res.body).not.toContain(secret)
      }
      const read = await call('GET', CONFIG, reader)
      expect(read.json()).not.toHaveProperty('identity_secret')
      const rotate = await call('POST', ROTATE_SECRET, reader)
      expect(rotate.statusCode).toBe(403)
      expect(rotate.json()).toEqual({ detail: 'API key missing required scope: config:write' })
      expect((await findTenantById(f.t.db, a.tenantId))!.identity_secret).toBe(secret)
    })
  })

  describe('tenant isolation', () => {
    it("tenant A's key never reads or changes tenant B", async () => {
      const a = await tenantWith({
        display_title: 'A title',
        allowed_origins: ['https://a.example'],
      })
      const b = await tenantWith({
        display_title: 'B title',
        allowed_origins: ['https://b.example'],
      })
      const bBefore = (await findTenantById(f.t.db, b.tenantId))!

      const got = (await call('GET', CONFIG, a.apiKey)).json()
      expect(got.tenant_id).toBe(a.tenantId)
      expect(got.display_title).toBe('A title')
      expect(JSON.stringify(got)).not.toContain(b.publicKey)
      expect(JSON.stringify(got)).not.toContain(bBefore.identity_secret)

      // Naming the other tenant anywhere in the request changes nothing: the key decides.
      for (const url of [`${CONFIG}?tenant_id=${b.tenantId}`, CONFIG]) {
        const put = await f.t.app.inject({
          method: 'PUT',
          url,
          headers: { 'x-api-key': a.apiKey, 'x-tenant-id': b.tenantId },
          payload: { ...REQUIRED, tenant_id: b.tenantId, display_title: 'Hijacked' },
        })
        expect(put.statusCode).toBe(200)
        expect(put.json().tenant_id).toBe(a.tenantId)
      }
      await call('POST', REGENERATE, a.apiKey)
      await call('POST', ROTATE_SECRET, a.apiKey)

      const bAfter = (await findTenantById(f.t.db, b.tenantId))!
      expect(bAfter).toEqual(bBefore)
      expect((await call('GET', CONFIG, b.apiKey)).json()).toMatchObject({
        tenant_id: b.tenantId,
        display_title: 'B title',
        public_widget_key: b.publicKey,
      })
      expect(f.events.every((e) => e.tenantId === a.tenantId)).toBe(true)
    })
  })

  describe('rate limit: 300 requests/minute per API key', () => {
    it('refuses the 301st request with the exact headers and body', async () => {
      const a = await tenantWith()
      const other = await keyWith(a, ['config:read'])
      for (let i = 1; i <= 300; i++) {
        // Every API-key route draws from the same per-key budget.
        const url = i % 3 === 0 ? READINESS : CONFIG
        const res = await call('GET', url, a.apiKey)
        expect(res.statusCode).toBe(200)
        expect(res.headers['x-ratelimit-limit']).toBe('300')
        expect(res.headers['x-ratelimit-remaining']).toBe(String(300 - i))
      }
      for (const [method, url] of [
        ['GET', CONFIG],
        ['PUT', CONFIG],
        ['POST', REGENERATE],
      ] as const) {
        const res = await call(method, url, a.apiKey, method === 'PUT' ? REQUIRED : undefined)
        expect(res.statusCode).toBe(429)
        expect(res.json()).toEqual({ detail: 'API key rate limit exceeded', limit: 300 })
        expect(res.headers['x-ratelimit-limit']).toBe('300')
        expect(res.headers['x-ratelimit-remaining']).toBe('0')
        const retry = Number(res.headers['retry-after'])
        expect(Number.isInteger(retry)).toBe(true)
        expect(retry).toBeGreaterThanOrEqual(1)
        expect(retry).toBeLessThanOrEqual(60)
      }
      // The refused PUT/POST changed nothing.
      expect((await findTenantById(f.t.db, a.tenantId))!.public_widget_key).toBe(a.publicKey)
      // The limit is per key: another key of the same tenant still works.
      const res = await call('GET', CONFIG, other)
      expect(res.statusCode).toBe(200)
      expect(res.headers['x-ratelimit-remaining']).toBe('299')
    })
  })

  describe('OpenAPI', () => {
    it('documents the admin routes with their schemas', async () => {
      const doc = (await f.t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
      const config = doc.paths['/api/v1/voice-widget/config']
      expect(Object.keys(config)).toEqual(expect.arrayContaining(['get', 'put']))
      const okSchema = config.get.responses['200'].content['application/json'].schema
      expect(Object.keys(okSchema.properties)).toEqual(
        expect.arrayContaining([
          'public_widget_key',
          'embed_script_url',
          'embed_snippet',
          'allowed_origins',
        ]),
      )
      expect(config.put.requestBody.content['application/json'].schema.required).toEqual([
        'enabled',
        'display_title',
        'launcher_label',
      ])
      expect(config.get.responses['403']).toBeDefined()
      expect(config.get.responses['429']).toBeDefined()
      expect(config.get.security).toEqual([{ ApiKey: [] }, { Session: [] }])
      expect(doc.paths['/api/v1/voice-widget/config/regenerate-key'].post).toBeDefined()
      expect(doc.paths['/api/v1/voice-widget/config/rotate-identity-secret'].post).toBeDefined()
      const ga = doc.paths['/api/v1/voice-widget/ga-readiness'].get
      expect(ga.responses['200'].content['application/json'].schema.required).toEqual([
        'ready',
        'failed_checks',
        'checks',
      ])
    })

    it('serves browsable docs at /docs', async () => {
      let res = await f.t.app.inject({ method: 'GET', url: '/docs' })
      if (res.statusCode >= 300 && res.statusCode < 400) {
        res = await f.t.app.inject({
          method: 'GET',
          url: new URL(res.headers.location!, 'http://x/docs/').pathname,
        })
      }
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toMatch(/text\/html/)
      expect(res.body).toMatch(/swagger/i)
    })
  })
})
