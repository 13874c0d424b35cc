import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { addMember } from '../../../test/team-support.ts'
import { createApiKey, findApiKeyByHash } from '../../auth/api-key-repo.ts'
import { sha256Hex } from '../../auth/keys.ts'
import { MAX_ACTIVE_API_KEYS } from './index.ts'

const KEYS = '/api/v1/api-keys'
const KEY_RE = /^itsm_sk_live_[0-9A-Za-z]{40}$/

/** The fields of a key as the list shows it, sorted (creating one also answers `api_key`). */
const LISTED_KEY_FIELDS = [
  'created_at',
  'id',
  'last_used_at',
  'name',
  'prefix',
  'revoked_at',
  'scopes',
]

forEachDialect('API key management', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp({ dialect })
  })
  afterAll(async () => t.close())

  const as = (key: string) => ({ 'x-api-key': key })
  const createKey = (key: string, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: KEYS, headers: as(key), payload })
  const list = async (key: string) =>
    (await t.app.inject({ method: 'GET', url: KEYS, headers: as(key) })).json().api_keys as {
      id: string
      name: string
      scopes: string[]
      revoked_at: string | null
    }[]

  it('creates a key shown once, stored only as a hash, that works at once', async () => {
    const a = await createTestTenant(t.db)
    const res = await createKey(a.apiKey, {
      name: 'CI deploy',
      scopes: ['config:read', 'config:read'],
    })
    expect(res.statusCode).toBe(201)
    expect(res.headers['x-ratelimit-limit']).toBe('300')
    const body = res.json()
    expect(Object.keys(body).sort()).toEqual(['api_key', ...LISTED_KEY_FIELDS])
    expect(body).toMatchObject({
      name: 'CI deploy',
      scopes: ['config:read'],
      last_used_at: null,
      revoked_at: null,
    })
    expect(body.api_key).toMatch(KEY_RE)
    expect(body.prefix).toBe(body.api_key.slice(0, 'itsm_sk_live_'.length + 4))

    const row = await findApiKeyByHash(t.db, sha256Hex(body.api_key))
    expect(row?.id).toBe(body.id)
    const stored = await t.db.selectFrom('api_keys').selectAll().where('id', '=', body.id).execute()
    expect(JSON.stringify(stored)).not.toContain(body.api_key)

    const use = await t.app.inject({
      method: 'GET',
      url: '/api/v1/voice-widget/config',
      headers: as(body.api_key),
    })
    expect(use.statusCode).toBe(200)
    expect(use.json().tenant_id).toBe(a.tenantId)
  })

  it('lists keys newest first without the key or its hash', async () => {
    const a = await createTestTenant(t.db)
    const made = await createKey(a.apiKey, { name: 'reader', scopes: ['config:read'] })
    const res = await t.app.inject({ method: 'GET', url: KEYS, headers: as(a.apiKey) })
    expect(res.statusCode).toBe(200)
    const keys = res.json().api_keys
    expect(keys).toHaveLength(2)
    expect(keys[0].id).toBe(made.json().id)
    for (const k of keys) {
      expect(Object.keys(k).sort()).toEqual(LISTED_KEY_FIELDS)
    }
    expect(res.body).not.toContain(made.json().api_key)
    expect(res.body).not.toContain(a.apiKey)
    expect(res.body).not.toContain(sha256Hex(made.json().api_key))
    expect(res.body).not.toContain(sha256Hex(a.apiKey))
    // The caller's own key was just used: its last use is recorded.
    expect(keys[1].last_used_at).not.toBeNull()
  })

  it('revokes a key: it stops working at once, stays listed as revoked, revoking again is a no-op', async () => {
    const a = await createTestTenant(t.db)
    const { key, row } = await createApiKey(t.db, {
      tenantId: a.tenantId,
      scopes: ['config:read'],
      name: 'old',
    })
    const del = await t.app.inject({
      method: 'DELETE',
      url: `${KEYS}/${row.id}`,
      headers: as(a.apiKey),
    })
    expect(del.statusCode).toBe(200)
    expect(del.json()).toMatchObject({ id: row.id, name: 'old', scopes: ['config:read'] })
    expect(del.json().revoked_at).toEqual(expect.any(String))
    const use = await t.app.inject({
      method: 'GET',
      url: '/api/v1/voice-widget/config',
      headers: as(key),
    })
    expect(use.statusCode).toBe(401)
    expect(use.json()).toEqual({ detail: 'Invalid or revoked API key' })
    const again = await t.app.inject({
      method: 'DELETE',
      url: `${KEYS}/${row.id}`,
      headers: as(a.apiKey),
    })
    expect(again.statusCode).toBe(200)
    expect(again.json().revoked_at).toBe(del.json().revoked_at)
    expect((await list(a.apiKey)).find((k) => k.id === row.id)?.revoked_at).toBe(
      del.json().revoked_at,
    )
  })

  it('lets a key revoke itself', async () => {
    const a = await createTestTenant(t.db, { scopes: ['config:read', 'config:write'] })
    const own = (await list(a.apiKey))[0]!
    const res = await t.app.inject({
      method: 'DELETE',
      url: `${KEYS}/${own.id}`,
      headers: as(a.apiKey),
    })
    expect(res.statusCode).toBe(200)
    expect(
      (await t.app.inject({ method: 'GET', url: KEYS, headers: as(a.apiKey) })).statusCode,
    ).toBe(401)
  })

  describe('scopes and privilege escalation', () => {
    it('needs config:read to list and config:write to create or revoke', async () => {
      const a = await createTestTenant(t.db)
      const reader = (await createApiKey(t.db, { tenantId: a.tenantId, scopes: ['config:read'] }))
        .key
      const writer = (await createApiKey(t.db, { tenantId: a.tenantId, scopes: ['config:write'] }))
        .key
      const target = (await createApiKey(t.db, { tenantId: a.tenantId, scopes: ['config:read'] }))
        .row
      expect(
        (await t.app.inject({ method: 'GET', url: KEYS, headers: as(reader) })).statusCode,
      ).toBe(200)
      for (const req of [
        { method: 'POST' as const, url: KEYS, payload: { name: 'x', scopes: ['config:read'] } },
        { method: 'DELETE' as const, url: `${KEYS}/${target.id}` },
      ]) {
        const res = await t.app.inject({ ...req, headers: as(reader) })
        expect(res.statusCode).toBe(403)
        expect(res.json()).toEqual({ detail: 'API key missing required scope: config:write' })
      }
      const listByWriter = await t.app.inject({ method: 'GET', url: KEYS, headers: as(writer) })
      expect(listByWriter.statusCode).toBe(403)
      expect(listByWriter.json()).toEqual({ detail: 'API key missing required scope: config:read' })
    })

    it('an API key cannot grant scopes it does not hold', async () => {
      const a = await createTestTenant(t.db)
      const limited = (
        await createApiKey(t.db, { tenantId: a.tenantId, scopes: ['config:read', 'config:write'] })
      ).key
      const res = await createKey(limited, {
        name: 'escalate',
        scopes: ['config:read', 'knowledge:write', 'conversations:read'],
      })
      expect(res.statusCode).toBe(403)
      expect(res.json()).toEqual({
        detail:
          'Cannot grant scopes this API key does not hold: knowledge:write, conversations:read',
      })
      const ok = await createKey(limited, { name: 'subset', scopes: ['config:read'] })
      expect(ok.statusCode).toBe(201)
      expect((await list(a.apiKey)).map((k) => k.name)).not.toContain('escalate')
    })

    it('an API key cannot revoke a key holding scopes it lacks', async () => {
      const a = await createTestTenant(t.db)
      const limited = (
        await createApiKey(t.db, { tenantId: a.tenantId, scopes: ['config:read', 'config:write'] })
      ).key
      const admin = (await list(a.apiKey)).find((k) => k.scopes.includes('knowledge:write'))!
      const res = await t.app.inject({
        method: 'DELETE',
        url: `${KEYS}/${admin.id}`,
        headers: as(limited),
      })
      expect(res.statusCode).toBe(403)
      expect(res.json().detail).toMatch(
        /^Cannot revoke a key holding scopes this API key does not hold: /,
      )
      expect(
        (await t.app.inject({ method: 'GET', url: KEYS, headers: as(a.apiKey) })).statusCode,
      ).toBe(200)
    })

    it('a dashboard session may grant and revoke any scope', async () => {
      const a = await createTestTenant(t.db)
      const { headers } = await addMember(t.db, a.tenantId, 'owner')
      const res = await t.app.inject({
        method: 'POST',
        url: KEYS,
        headers,
        payload: {
          name: 'everything',
          scopes: [
            'config:read',
            'config:write',
            'knowledge:read',
            'knowledge:write',
            'conversations:read',
          ],
        },
      })
      expect(res.statusCode).toBe(201)
      const del = await t.app.inject({ method: 'DELETE', url: `${KEYS}/${res.json().id}`, headers })
      expect(del.statusCode).toBe(200)
    })
  })

  describe('validation', () => {
    it.each([
      ['no body fields', {}, ['body', 'name'], 'missing'],
      ['no scopes', { name: 'x' }, ['body', 'scopes'], 'missing'],
      ['an empty scope list', { name: 'x', scopes: [] }, ['body', 'scopes'], 'too_short'],
      [
        'an unknown scope',
        { name: 'x', scopes: ['config:admin'] },
        ['body', 'scopes', 0],
        'literal_error',
      ],
      [
        'scopes as a string',
        { name: 'x', scopes: 'config:read' },
        ['body', 'scopes'],
        'array_type',
      ],
      [
        'an empty name',
        { name: '', scopes: ['config:read'] },
        ['body', 'name'],
        'string_too_short',
      ],
      [
        'a long name',
        { name: 'n'.repeat(101), scopes: ['config:read'] },
        ['body', 'name'],
        'string_too_long',
      ],
    ])('422 for %s', async (_name, payload, loc, type) => {
      const a = await createTestTenant(t.db)
      const res = await t.app.inject({ method: 'POST', url: KEYS, headers: as(a.apiKey), payload })
      expect(res.statusCode).toBe(422)
      expect(res.json().detail).toContainEqual(expect.objectContaining({ loc, type }))
      expect(await list(a.apiKey)).toHaveLength(1)
    })

    it('404 for an unknown key id', async () => {
      const a = await createTestTenant(t.db)
      const res = await t.app.inject({
        method: 'DELETE',
        url: `${KEYS}/key_nope`,
        headers: as(a.apiKey),
      })
      expect(res.statusCode).toBe(404)
      expect(res.json()).toEqual({ detail: 'API key not found' })
    })

    it(`refuses more than ${MAX_ACTIVE_API_KEYS} active keys with 409`, async () => {
      const a = await createTestTenant(t.db)
      for (let i = 1; i < MAX_ACTIVE_API_KEYS; i++) {
        await createApiKey(t.db, { tenantId: a.tenantId, scopes: ['config:read'] })
      }
      const res = await createKey(a.apiKey, { name: 'one too many', scopes: ['config:read'] })
      expect(res.statusCode).toBe(409)
      expect(res.json().detail).toMatch(/at most 100 active API keys/)
    })
  })

  describe('tenant isolation', () => {
    let a: TestTenant
    let b: TestTenant
    beforeAll(async () => {
      a = await createTestTenant(t.db, { name: 'A' })
      b = await createTestTenant(t.db, { name: 'B' })
    })

    it("never lists another tenant's keys", async () => {
      const bKeys = await list(b.apiKey)
      const aKeys = await list(a.apiKey)
      expect(aKeys.map((k) => k.id)).not.toContain(bKeys[0]!.id)
    })

    it("cannot revoke another tenant's key: 404, and the key keeps working", async () => {
      const bKey = (await list(b.apiKey))[0]!
      const res = await t.app.inject({
        method: 'DELETE',
        url: `${KEYS}/${bKey.id}`,
        headers: as(a.apiKey),
      })
      expect(res.statusCode).toBe(404)
      expect(res.json()).toEqual({ detail: 'API key not found' })
      expect(
        (await t.app.inject({ method: 'GET', url: KEYS, headers: as(b.apiKey) })).statusCode,
      ).toBe(200)
    })

    it("creates keys only in the caller's tenant, whatever the body says", async () => {
      const res = await createKey(a.apiKey, {
        name: 'sneaky',
        scopes: ['config:read'],
        tenant_id: b.tenantId,
      })
      expect(res.statusCode).toBe(201)
      const cfg = await t.app.inject({
        method: 'GET',
        url: '/api/v1/voice-widget/config',
        headers: as(res.json().api_key),
      })
      expect(cfg.json().tenant_id).toBe(a.tenantId)
      expect((await list(b.apiKey)).map((k) => k.name)).not.toContain('sneaky')
    })
  })
})
