import { afterEach, beforeEach, expect, it } from 'vitest'
import { forEachDialect } from '../../../test/helpers.ts'
import { CookieJar, startTestIdp } from '../../../test/oidc-provider.ts'
import {
  auditEntries,
  configureSso,
  putSso,
  type SsoWorld,
  signInWithSso,
  ssoSettings,
  startAndAuthorize,
  startSsoWorld,
} from '../../../test/sso-support.ts'
import { provisionTenant } from '../../../test-support/tenant.ts'
import { createAdminUser, findAdminUserByEmail } from '../../admin-users/user-repo.ts'

forEachDialect('console single sign-on (OpenID Connect, real provider)', (dialect) => {
  let w: SsoWorld
  beforeEach(async () => {
    w = await startSsoWorld(dialect)
    await configureSso(w)
  })
  afterEach(async () => {
    await w.close()
  })

  const me = async (jar: CookieJar) => {
    const res = await jar.fetch(`${w.server.url}/api/v1/auth/me`)
    return {
      status: res.status,
      body: (await res.json()) as { user: Record<string, unknown> },
    }
  }

  it('signs a new user in through the provider, provisioned with the role their group maps to', async () => {
    w.idp.accounts.set('grace', {
      email: 'Grace@Acme.test',
      email_verified: true,
      name: 'Grace Hopper',
      groups: ['staff', 'it-admins'],
    })
    const { res, jar } = await signInWithSso(w, 'grace')
    expect(res.status, await res.clone().text()).toBe(302)
    expect(res.headers.get('location')).toBe('/admin/')
    // The same cookie session as a password sign-in.
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('aurion_session='))
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Strict/i)
    const session = await me(jar)
    expect(session.status).toBe(200)
    expect(session.body.user).toMatchObject({
      email: 'grace@acme.test',
      name: 'Grace Hopper',
      role: 'admin',
      tenant_id: w.tenant.tenantId,
    })
    // The sessions list shows it, like any other.
    const list = await jar.fetch(`${w.server.url}/api/v1/auth/sessions`)
    const sessions = (await list.json()).sessions as Array<{ current: boolean; ip: string }>
    expect(sessions).toHaveLength(1)
    expect(sessions[0]).toMatchObject({ current: true, ip: '127.0.0.1' })
    // A password cannot sign this user in: they have none they know.
    const row = await findAdminUserByEmail(w.server.db, 'grace@acme.test')
    expect(row?.role).toBe('admin')
    const [login] = await auditEntries(w, 'console.sso_login')
    expect(login).toMatchObject({
      actor: { type: 'user', id: row!.id },
      details: { role: 'admin', provisioned: true },
    })
    const [provisioned] = await auditEntries(w, 'user.provisioned')
    expect(provisioned).toMatchObject({ target: row!.id, details: { role: 'admin', via: 'sso' } })
  })
  it('maps roles at every sign-in for existing users, never demoting the last owner', async () => {
    const sam = await createAdminUser(w.server.db, {
      tenantId: w.tenant.tenantId,
      email: 'sam@acme.test',
      password: 'a long enough password',
      role: 'agent',
    })
    w.idp.accounts.set('sam', {
      email: 'sam@acme.test',
      email_verified: true,
      groups: ['it-admins'],
    })
    const promoted = await signInWithSso(w, 'sam')
    expect(promoted.res.status).toBe(302)
    expect((await me(promoted.jar)).body.user).toMatchObject({ id: sam.id, role: 'admin' })
    const [changed] = await auditEntries(w, 'user.role_changed')
    expect(changed).toMatchObject({ target: sam.id, details: { role: 'admin', via: 'sso' } })

    // No rule matches: an existing user keeps their role (the default is for new users).
    w.idp.accounts.set('sam', { email: 'sam@acme.test', email_verified: true, groups: ['sales'] })
    const kept = await signInWithSso(w, 'sam')
    expect((await me(kept.jar)).body.user.role).toBe('admin')

    // Ada is the only owner: a rule mapping her to agent signs her in but keeps her an owner.
    await configureSso(w, { role_mappings: [{ value: 'support', role: 'agent' }] })
    w.idp.accounts.set('ada', { email: 'ada@acme.test', email_verified: true, groups: ['support'] })
    const ada = await signInWithSso(w, 'ada')
    expect(ada.res.status).toBe(302)
    expect((await me(ada.jar)).body.user).toMatchObject({ email: 'ada@acme.test', role: 'owner' })
  })

  it('refuses a callback replayed after it signed in, and audits it', async () => {
    w.idp.accounts.set('grace', { email: 'grace@acme.test', email_verified: true, groups: [] })
    const first = await signInWithSso(w, 'grace')
    expect(first.res.status).toBe(302)
    // The same answer again, from a browser that still has the state cookie.
    const jar = new CookieJar()
    const state = new URL(first.callbackUrl).searchParams.get('state')!
    const replay = await fetch(first.callbackUrl, {
      redirect: 'manual',
      headers: { cookie: `aurion_sso_state=${state}` },
    })
    expect(replay.status).toBe(400)
    expect(await replay.json()).toEqual({
      detail: 'This sign-in answer was already used: start again',
    })
    expect(replay.headers.getSetCookie().some((c) => c.startsWith('aurion_session='))).toBe(false)
    expect((await me(jar)).status).toBe(401)
    const [failed] = await auditEntries(w, 'console.sso_login_failed')
    expect(failed).toMatchObject({
      actor: { type: 'anonymous' },
      details: { reason: 'state_reused' },
    })
    // A state nobody issued.
    const forged = await fetch(`${w.server.url}/api/v1/auth/sso/callback?code=x&state=forged`, {
      redirect: 'manual',
      headers: { cookie: 'aurion_sso_state=forged' },
    })
    expect(forged.status).toBe(400)
    const none = await fetch(`${w.server.url}/api/v1/auth/sso/callback?code=x`, {
      redirect: 'manual',
    })
    expect(none.status).toBe(400)
  })

  it("refuses an answer brought to another browser (the state is bound to the starter's cookie)", async () => {
    w.idp.accounts.set('grace', { email: 'grace@acme.test', email_verified: true })
    const { jar, callbackUrl } = await startAndAuthorize(w, 'grace')
    jar.delete('aurion_sso_state')
    const res = await jar.fetch(callbackUrl)
    expect(res.status).toBe(400)
    expect((await res.json()).detail).toMatch(/another browser/)
    expect((await me(jar)).status).toBe(401)
    const [failed] = await auditEntries(w, 'console.sso_login_failed')
    expect(failed?.details.reason).toBe('browser_mismatch')
  })

  it('refuses an ID token whose nonce is not the one this sign-in started with', async () => {
    w.idp.accounts.set('grace', { email: 'grace@acme.test', email_verified: true })
    const { jar, callbackUrl } = await startAndAuthorize(w, 'grace', {
      tamper: (u) => u.searchParams.set('nonce', 'nonce-of-another-sign-in'),
    })
    const res = await jar.fetch(callbackUrl)
    expect(res.status).toBe(401)
    expect((await res.json()).detail).toMatch(/nonce/)
    expect(res.headers.getSetCookie().some((c) => c.startsWith('aurion_session='))).toBe(false)
    expect((await me(jar)).status).toBe(401)
    expect(await findAdminUserByEmail(w.server.db, 'grace@acme.test')).toBeUndefined()
    const [failed] = await auditEntries(w, 'console.sso_login_failed')
    expect(failed?.details.reason).toBe('token_rejected')
  })

  it('refuses unverified emails, other domains, other workspaces and unmapped users', async () => {
    const refused = async (login: string, detail: RegExp, reason: string) => {
      const { res, jar } = await signInWithSso(w, login)
      expect(res.status).toBe(403)
      expect((await res.json()).detail).toMatch(detail)
      expect((await me(jar)).status).toBe(401)
      const [failed] = await auditEntries(w, 'console.sso_login_failed')
      expect(failed?.details).toMatchObject({ reason, email_hash: expect.any(String) })
      expect(JSON.stringify(failed)).not.toContain('@')
    }
    w.idp.accounts.set('u1', { email: 'u1@acme.test', email_verified: false })
    await refused('u1', /not verified/, 'email_unverified')
    w.idp.accounts.set('u2', { email: 'u2@evil.test', email_verified: true, groups: ['founders'] })
    await refused('u2', /evil\.test may not sign in/, 'domain_not_allowed')
    // A subdomain is another domain.
    w.idp.accounts.set('u3', { email: 'u3@mail.acme.test', email_verified: true })
    await refused('u3', /may not sign in/, 'domain_not_allowed')
    const other = await provisionTenant(w.server.db, { name: 'Other' })
    await createAdminUser(w.server.db, {
      tenantId: other.tenantId,
      email: 'bob@acme.test',
      password: 'a long enough password',
    })
    w.idp.accounts.set('bob', { email: 'bob@acme.test', email_verified: true })
    await refused('bob', /another workspace/, 'other_workspace')
    await configureSso(w, { default_role: null })
    w.idp.accounts.set('u4', { email: 'u4@acme.test', email_verified: true, groups: ['sales'] })
    await refused('u4', /No role/, 'no_role')
    expect(await findAdminUserByEmail(w.server.db, 'u4@acme.test')).toBeUndefined()
  })

  it('signs in nobody while single sign-on is off, even mid-way', async () => {
    w.idp.accounts.set('grace', { email: 'grace@acme.test', email_verified: true })
    const { jar, callbackUrl } = await startAndAuthorize(w, 'grace')
    const off = await putSso(w, ssoSettings(w, { enabled: false, client_secret: undefined }))
    expect(off.statusCode, off.body).toBe(200)
    const res = await jar.fetch(callbackUrl)
    expect(res.status).toBe(403)
    expect((await res.json()).detail).toBe('Single sign-on is off for this workspace')
    const start = await fetch(`${w.server.url}/api/v1/auth/sso/start?tenant=${w.tenant.tenantId}`, {
      redirect: 'manual',
    })
    expect(start.status).toBe(404)
    const byEmail = await fetch(`${w.server.url}/api/v1/auth/sso/start?email=grace@acme.test`, {
      redirect: 'manual',
    })
    expect(byEmail.status).toBe(404)
    const [failed] = await auditEntries(w, 'console.sso_login_failed')
    expect(failed?.details.reason).toBe('disabled')
  })

  it('finds the workspace by the email domain and passes the address as a login hint', async () => {
    w.idp.accounts.set('grace', { email: 'grace@acme.test', email_verified: true })
    const { jar, authUrl, callbackUrl } = await startAndAuthorize(w, 'grace', {
      query: 'email=Grace%40ACME.test',
    })
    expect(authUrl.searchParams.get('login_hint')).toBe('Grace@ACME.test')
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256')
    expect(authUrl.searchParams.get('scope')).toBe('openid email profile groups')
    expect(authUrl.searchParams.get('redirect_uri')).toBe(
      `${w.server.url}/api/v1/auth/sso/callback`,
    )
    const res = await jar.fetch(callbackUrl)
    expect(res.status).toBe(302)
    expect((await me(jar)).body.user).toMatchObject({ email: 'grace@acme.test', role: 'agent' })
    const unknown = await fetch(`${w.server.url}/api/v1/auth/sso/start?email=x@nowhere.test`, {
      redirect: 'manual',
    })
    expect(unknown.status).toBe(404)
    // A browser navigating there is sent back to the sign-in page with the status only.
    const browser = await fetch(`${w.server.url}/api/v1/auth/sso/start?email=x@nowhere.test`, {
      redirect: 'manual',
      headers: { accept: 'text/html,application/xhtml+xml' },
    })
    expect(browser.status).toBe(303)
    expect(browser.headers.get('location')).toBe('/admin/?sso_error=404')
    const both = await fetch(
      `${w.server.url}/api/v1/auth/sso/start?email=x@acme.test&tenant=${w.tenant.tenantId}`,
      { redirect: 'manual' },
    )
    expect(both.status).toBe(400)
  })

  it('reports the provider refusing the sign-in as 401', async () => {
    // What a provider sends back when the user cancels (RFC 6749 §4.1.2.1, with RFC 9207's iss).
    const browser = new CookieJar()
    const start = await browser.fetch(
      `${w.server.url}/api/v1/auth/sso/start?tenant=${w.tenant.tenantId}`,
    )
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!
    const res = await browser.fetch(
      `${w.server.url}/api/v1/auth/sso/callback?error=access_denied&error_description=User+cancelled&state=${state}&iss=${encodeURIComponent(w.idp.issuer)}`,
    )
    expect(res.status).toBe(401)
    expect((await res.json()).detail).toMatch(/access_denied/)
  })

  it('refuses an answer from another provider (its issuer is not the configured one)', async () => {
    const other = await startTestIdp({ redirectUri: `${w.server.url}/api/v1/auth/sso/callback` })
    try {
      other.accounts.set('grace', { email: 'grace@acme.test', email_verified: true })
      // The sign-in started for this workspace's provider is taken to another one (same client
      // id and redirect URI there): its answer names its own issuer.
      const { jar, callbackUrl } = await startAndAuthorize(w, 'grace', {
        tamper: (u) => {
          const o = new URL(other.issuer)
          u.host = o.host
        },
      })
      expect(new URL(callbackUrl).searchParams.get('iss')).toBe(other.issuer)
      const res = await jar.fetch(callbackUrl)
      expect(res.status).toBe(401)
      expect((await res.json()).detail).toMatch(/iss/)
      expect((await me(jar)).status).toBe(401)
      const [failed] = await auditEntries(w, 'console.sso_login_failed')
      expect(failed?.details.reason).toBe('token_rejected')
    } finally {
      await other.close()
    }
  })

  it('refuses a sign-in that took longer than 10 minutes', async () => {
    w.idp.accounts.set('grace', { email: 'grace@acme.test', email_verified: true })
    const { jar, callbackUrl } = await startAndAuthorize(w, 'grace')
    await w.server.db
      .updateTable('sso_login_states')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .execute()
    const res = await jar.fetch(callbackUrl)
    expect(res.status).toBe(400)
    expect((await res.json()).detail).toBe('This sign-in took too long: start again')
    const [failed] = await auditEntries(w, 'console.sso_login_failed')
    expect(failed?.details.reason).toBe('state_expired')
  })

  it('limits starts to 30 a minute per address (each records a pending sign-in)', async () => {
    const start = () =>
      w.server.app.inject({
        url: `/api/v1/auth/sso/start?tenant=${w.tenant.tenantId}`,
        remoteAddress: '203.0.113.9',
      })
    for (let i = 0; i < 30; i++) expect((await start()).statusCode).toBe(302)
    const over = await start()
    expect(over.statusCode).toBe(429)
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0)
    const elsewhere = await w.server.app.inject({
      url: `/api/v1/auth/sso/start?tenant=${w.tenant.tenantId}`,
      remoteAddress: '198.51.100.4',
    })
    expect(elsewhere.statusCode).toBe(302)
    const rows = await w.server.db.selectFrom('sso_login_states').select('state_hash').execute()
    expect(rows).toHaveLength(31)
  })
})
