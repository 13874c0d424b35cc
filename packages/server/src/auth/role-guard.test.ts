import type { TeamRole } from '@aurion/contract'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, createTestTenant, forEachDialect, type TestApp } from '../../test/helpers.ts'
import { createAdminSession } from '../admin-users/session-repo.ts'
import { createAdminUser } from '../admin-users/user-repo.ts'
import { scopesForRole } from '../team/roles.ts'

/** Every console route an agent may not use (needs `config:*`), with a body where it takes one. */
const CONFIG_ROUTES: { method: 'GET' | 'PUT' | 'POST'; url: string; payload?: object }[] = [
  { method: 'GET', url: '/api/v1/voice-widget/config' },
  {
    method: 'PUT',
    url: '/api/v1/voice-widget/config',
    payload: { enabled: true, display_title: 'Hijacked', launcher_label: 'Chat' },
  },
  { method: 'POST', url: '/api/v1/voice-widget/config/regenerate-key' },
  { method: 'POST', url: '/api/v1/voice-widget/config/rotate-identity-secret' },
  { method: 'GET', url: '/api/v1/voice-widget/ga-readiness' },
  { method: 'GET', url: '/api/v1/api-keys' },
  { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'mine', scopes: ['config:write'] } },
]

forEachDialect('console roles on the admin API', (dialect) => {
  let t: TestApp
  let tenantId: string
  let apiKey: string

  beforeEach(async () => {
    t = await buildTestApp({ dialect })
    const tenant = await createTestTenant(t.db, { name: 'Acme' })
    tenantId = tenant.tenantId
    apiKey = tenant.apiKey
  })
  afterEach(async () => t.close())

  async function sessionOf(role: TeamRole, email = `${role}@acme.test`) {
    const user = await createAdminUser(t.db, {
      tenantId,
      email,
      name: role,
      password: 'a long enough password',
      role,
    })
    const { token } = await createAdminSession(t.db, { userId: user.id, tenantId })
    return { user, headers: { authorization: `Bearer ${token}` } }
  }

  it.each(CONFIG_ROUTES)('an agent gets 403 on $method $url', async ({ method, url, payload }) => {
    const { headers } = await sessionOf('agent')
    const res = await t.app.inject({
      method,
      url,
      headers,
      ...(payload ? { payload } : {}),
    })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({
      detail: expect.stringMatching(
        /^Your role \(agent\) does not allow this: it needs config:(read|write)\. Ask an owner or admin of your team\.$/,
      ),
    })
  })

  it('an agent changed nothing through the refused writes', async () => {
    const { headers } = await sessionOf('agent')
    const before = await t.db.selectFrom('tenants').selectAll().execute()
    for (const r of CONFIG_ROUTES.filter((r) => r.method !== 'GET'))
      await t.app.inject({
        method: r.method,
        url: r.url,
        headers,
        ...(r.payload ? { payload: r.payload } : {}),
      })
    expect(await t.db.selectFrom('tenants').selectAll().execute()).toEqual(before)
    expect(await t.db.selectFrom('api_keys').select('id').execute()).toHaveLength(1)
  })

  it('an agent works conversations and knowledge', async () => {
    const { headers } = await sessionOf('agent')
    expect((await t.app.inject({ url: '/api/v1/conversations', headers })).statusCode).toBe(200)
    expect((await t.app.inject({ url: '/api/v1/knowledge/articles', headers })).statusCode).toBe(
      200,
    )
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/knowledge/articles',
      headers,
      payload: { title: 'Returns', body: 'Returns are free for 30 days.' },
    })
    expect(created.statusCode).toBe(201)
  })

  it.each(['owner', 'admin'] as const)(
    'an %s reaches the configuration and API keys',
    async (role) => {
      const { headers } = await sessionOf(role)
      for (const r of CONFIG_ROUTES.filter((r) => r.method === 'GET')) {
        const res = await t.app.inject({ method: r.method, url: r.url, headers })
        expect(res.statusCode, r.url).toBe(200)
      }
    },
  )

  it('/auth/me tells the role and the scopes it holds', async () => {
    const { headers, user } = await sessionOf('agent')
    const me = (await t.app.inject({ url: '/api/v1/auth/me', headers })).json()
    expect(me.user).toEqual({
      id: user.id,
      email: 'agent@acme.test',
      name: 'agent',
      tenant_id: tenantId,
      role: 'agent',
    })
    expect(me.scopes).toEqual(scopesForRole('agent'))
    expect(me.scopes.some((s: string) => s.startsWith('config:'))).toBe(false)
  })

  it('a role change applies to the open session at once', async () => {
    const { headers, user } = await sessionOf('admin')
    expect((await t.app.inject({ url: '/api/v1/api-keys', headers })).statusCode).toBe(200)
    await t.db.updateTable('admin_users').set({ role: 'agent' }).where('id', '=', user.id).execute()
    expect((await t.app.inject({ url: '/api/v1/api-keys', headers })).statusCode).toBe(403)
  })

  it('API keys keep working by their scopes, whoever created them', async () => {
    const res = await t.app.inject({ url: '/api/v1/api-keys', headers: { 'x-api-key': apiKey } })
    expect(res.statusCode).toBe(200)
    const narrow = await createTestTenant(t.db, { scopes: ['knowledge:read'] })
    const refused = await t.app.inject({
      url: '/api/v1/voice-widget/config',
      headers: { 'x-api-key': narrow.apiKey },
    })
    expect(refused.statusCode).toBe(403)
    expect(refused.json()).toEqual({ detail: 'API key missing required scope: config:read' })
  })
})

describe('scopesForRole', () => {
  it('gives owners and admins everything and agents everything but config, audit, privacy and webhooks', () => {
    expect(scopesForRole('owner')).toContain('config:write')
    expect(scopesForRole('owner')).toContain('audit:read')
    expect(scopesForRole('owner')).toContain('privacy:write')
    expect(scopesForRole('admin')).toEqual(scopesForRole('owner'))
    expect(scopesForRole('agent')).toEqual(
      scopesForRole('owner').filter(
        (s) =>
          !s.startsWith('config:') &&
          !s.startsWith('audit:') &&
          !s.startsWith('privacy:') &&
          s !== 'help-center:write' &&
          !s.startsWith('webhooks:'),
      ),
    )
    expect(scopesForRole('agent')).toContain('conversations:read')
    expect(scopesForRole('agent')).toContain('knowledge:write')
    // An unknown role (never stored, but defensively) gets no configuration either.
    expect(scopesForRole('nonsense').some((s) => s.startsWith('config:'))).toBe(false)
  })
})
