import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, createTestTenant, forEachDialect } from '../../../test/helpers.ts'
import {
  auditEntries,
  putSso,
  type SsoWorld,
  ssoSettings,
  startSsoWorld,
} from '../../../test/sso-support.ts'
import { createAdminUser } from '../../admin-users/user-repo.ts'
import { saveSsoConfig } from '../../sso/sso-config-repo.ts'

forEachDialect('console single sign-on: settings', (dialect) => {
  let w: SsoWorld
  beforeEach(async () => {
    w = await startSsoWorld(dialect)
  })
  afterEach(async () => {
    await w.close()
  })

  const get = (token: string) =>
    w.server.app.inject({ url: '/api/v1/auth/sso', headers: { authorization: `Bearer ${token}` } })
  const signIn = async (email: string, role: 'admin' | 'agent') => {
    const password = 'a long enough password'
    await createAdminUser(w.server.db, { tenantId: w.tenant.tenantId, email, password, role })
    const res = await w.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password },
    })
    return res.json().token as string
  }

  it('lets the owner turn it on; the client secret is stored sealed and never shown', async () => {
    const before = await get(w.ownerToken)
    expect(before.statusCode).toBe(200)
    expect(before.json()).toEqual({
      enabled: false,
      issuer: null,
      client_id: null,
      client_secret_set: false,
      allowed_domains: [],
      role_claim: 'groups',
      role_mappings: [],
      default_role: 'agent',
      redirect_uri: `${w.server.url}/api/v1/auth/sso/callback`,
      updated_at: null,
    })
    const res = await putSso(w, ssoSettings(w, { allowed_domains: ['@ACME.test', 'acme.test'] }))
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({
      enabled: true,
      issuer: w.idp.issuer,
      client_id: w.idp.clientId,
      client_secret_set: true,
      allowed_domains: ['acme.test'],
      role_mappings: [
        { value: 'it-admins', role: 'admin' },
        { value: 'founders', role: 'owner' },
      ],
    })
    expect(res.body).not.toContain(w.idp.clientSecret)
    expect((await get(w.ownerToken)).body).not.toContain(w.idp.clientSecret)
    const row = await w.server.db.selectFrom('sso_configs').selectAll().executeTakeFirstOrThrow()
    expect(row.client_secret_enc).toMatch(/^v1\./)
    expect(row.client_secret_enc).not.toContain(w.idp.clientSecret)
    const [audit] = await auditEntries(w, 'sso.updated')
    expect(audit?.details).toEqual({
      fields: expect.arrayContaining(['enabled', 'issuer', 'client_id', 'client_secret']),
      enabled: true,
    })
    expect(JSON.stringify(audit)).not.toContain(w.idp.clientSecret)

    // Without client_secret the stored one is kept; only what changed is audited.
    const again = await putSso(
      w,
      ssoSettings(w, { client_secret: undefined, default_role: null, role_claim: 'roles' }),
    )
    expect(again.statusCode, again.body).toBe(200)
    expect(again.json()).toMatchObject({ client_secret_set: true, default_role: null })
    const [second] = await auditEntries(w, 'sso.updated')
    expect(second?.details).toEqual({ fields: ['role_claim', 'default_role'], enabled: true })
  })

  it('is for owners only, and for console sessions only', async () => {
    const admin = await signIn('root@acme.test', 'admin')
    const agent = await signIn('sam@acme.test', 'agent')
    for (const token of [admin, agent]) {
      expect((await get(token)).statusCode).toBe(403)
      const put = await putSso(w, ssoSettings(w), token)
      expect(put.statusCode).toBe(403)
      expect(put.json().detail).toMatch(/owner role/)
    }
    const byKey = await w.server.app.inject({
      method: 'PUT',
      url: '/api/v1/auth/sso',
      headers: { 'x-api-key': w.tenant.apiKey },
      payload: ssoSettings(w),
    })
    expect(byKey.statusCode).toBe(403)
    expect((await get(w.ownerToken)).json().enabled).toBe(false)
  })

  it('refuses settings that cannot work, with the reason', async () => {
    const refused = async (over: Record<string, unknown>, status: number, detail: RegExp) => {
      const res = await putSso(w, { ...ssoSettings(w), ...over })
      expect(res.statusCode, res.body).toBe(status)
      expect(JSON.stringify(res.json().detail)).toMatch(detail)
    }
    await refused({ allowed_domains: ['not a domain'] }, 422, /must be a domain/)
    await refused({ allowed_domains: [] }, 422, /at least one domain/)
    await refused({ client_secret: undefined }, 422, /client_secret/)
    await refused({ role_mappings: [{ value: 'x', role: 'superuser' }] }, 422, /role/)
    // The issuer the provider states is not this URL.
    await refused({ issuer: w.idp.issuer.replace('127.0.0.1', 'localhost') }, 400, /issuer/)
    // Nothing listens there.
    await refused({ issuer: 'http://127.0.0.1:9/' }, 400, /Could not use the issuer/)
    expect((await get(w.ownerToken)).json().enabled).toBe(false)
    // Turned off, it may be saved incomplete (a draft).
    const draft = await putSso(w, { ...ssoSettings(w), enabled: false, allowed_domains: [] })
    expect(draft.statusCode, draft.body).toBe(200)
  })

  it('refuses a domain another workspace signs in', async () => {
    expect((await putSso(w, ssoSettings(w))).statusCode).toBe(200)
    const other = await createTestTenant(w.server.db, {
      name: 'Other',
      consoleUser: { email: 'o@other.test' },
    })
    const login = await w.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'o@other.test', password: other.consoleUser!.password },
    })
    const res = await putSso(
      w,
      ssoSettings(w, { allowed_domains: ['other.test', 'acme.test'] }),
      login.json().token,
    )
    expect(res.statusCode).toBe(409)
    expect(res.json().detail).toBe(
      'acme.test already signs in with single sign-on to another workspace',
    )
  })
})

describe('console single sign-on: outbound requests follow the SSRF rule', () => {
  it('refuses private and plain-http issuers unless AURION_FETCH_ALLOW_PRIVATE is set', async () => {
    const t = await buildTestApp()
    try {
      const tenant = await createTestTenant(t.db, { consoleUser: true })
      const login = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'ada@acme.test', password: tenant.consoleUser!.password },
      })
      const token = login.json().token as string
      const put = (issuer: string) =>
        t.app.inject({
          method: 'PUT',
          url: '/api/v1/auth/sso',
          headers: { authorization: `Bearer ${token}` },
          payload: {
            enabled: true,
            issuer,
            client_id: 'c',
            client_secret: 's',
            allowed_domains: ['acme.test'],
          },
        })
      for (const [issuer, msg] of [
        ['http://idp.example.com', /https/],
        ['https://127.0.0.1:8443', /private/],
        ['https://[::1]/', /private/],
        ['https://localhost/', /private/],
      ] as const) {
        const res = await put(issuer)
        expect(res.statusCode, issuer).toBe(422)
        expect(JSON.stringify(res.json().detail)).toMatch(msg)
      }
      // Settings stored before (or by hand) are still fetched under the rule at sign-in.
      const now = new Date().toISOString()
      await saveSsoConfig(t.db, {
        tenantId: tenant.tenantId,
        enabled: true,
        issuer: 'https://127.0.0.1:8443',
        clientId: 'c',
        clientSecretSealed: null,
        allowedDomains: ['acme.test'],
        roleClaim: 'groups',
        roleMappings: [],
        defaultRole: 'agent',
        createdAt: now,
        updatedAt: now,
      })
      const start = await t.app.inject({ url: `/api/v1/auth/sso/start?tenant=${tenant.tenantId}` })
      expect(start.statusCode).toBe(502)
      expect(start.json().detail).toMatch(/not allowed/)
      expect(await t.db.selectFrom('sso_login_states').selectAll().execute()).toEqual([])
    } finally {
      await t.close()
    }
  })
})
