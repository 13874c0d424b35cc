import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
} from '../../../test/helpers.ts'
import { SmtpReceiver } from '../../../test/smtp-receiver.ts'
import { addMember, inviteLinkFromMail, mailText, tokenOfLink } from '../../../test/team-support.ts'
import { sha256Hex } from '../../auth/keys.ts'
import { randomBase62 } from '../../ids.ts'

const INVALID = { detail: 'Invalid or expired invitation link' }
const PASSWORD = 'my new console password'

forEachDialect('team invitations (no mail configured)', (dialect) => {
  let t: TestApp
  let tenantId: string
  let apiKey: string
  let owner: Awaited<ReturnType<typeof addMember>>
  let admin: Awaited<ReturnType<typeof addMember>>
  let agent: Awaited<ReturnType<typeof addMember>>

  beforeEach(async () => {
    t = await buildTestApp({ dialect, env: { AURION_PUBLIC_URL: 'https://aurion.example.com' } })
    const tenant = await createTestTenant(t.db, { name: 'Acme Support' })
    tenantId = tenant.tenantId
    apiKey = tenant.apiKey
    owner = await addMember(t.db, tenantId, 'owner', 'olga@acme.test')
    admin = await addMember(t.db, tenantId, 'admin', 'adam@acme.test')
    agent = await addMember(t.db, tenantId, 'agent', 'sam@acme.test')
  })
  afterEach(async () => t.close())

  const invite = (headers: object, payload: object) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/team/invites',
      headers: headers as Record<string, string>,
      payload,
    })
  const lookup = (token: string, remoteAddress = '127.0.0.1') =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/invites/lookup',
      payload: { token },
      remoteAddress,
    })
  const accept = (token: string, password = PASSWORD, extra: object = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/invites/accept',
      payload: { token, password, ...extra },
    })

  it('returns the link once, stores only its hash, and the link signs the new agent in', async () => {
    const res = await invite(owner.headers, {
      email: ' Lee@Acme.test ',
      role: 'agent',
      name: 'Lee',
    })
    expect(res.statusCode).toBe(201)
    const body = res.json()
    expect(body).toEqual({
      id: expect.stringMatching(/^inv_/),
      email: 'lee@acme.test',
      name: 'Lee',
      role: 'agent',
      invited_by: { name: 'Owner olga', email: 'olga@acme.test' },
      created_at: expect.any(String),
      expires_at: expect.any(String),
      mailed: false,
      invite_url: expect.stringMatching(
        /^https:\/\/aurion\.example\.com\/admin\/invite\/ainv_[0-9A-Za-z]{43}$/,
      ),
    })
    const ttl = Date.parse(body.expires_at) - Date.parse(body.created_at)
    expect(ttl).toBe(72 * 3600_000)
    const token = tokenOfLink(body.invite_url)
    const rows = await t.db.selectFrom('admin_invites').selectAll().execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]!.token_hash).toBe(sha256Hex(token))
    expect(JSON.stringify(rows)).not.toContain(token)
    // The pending list never shows the link again.
    const listed = await t.app.inject({ url: '/api/v1/team/invites', headers: admin.headers })
    const { mailed: _m, invite_url: _u, ...pending } = body
    expect(listed.json()).toEqual({ invites: [pending] })

    const who = await lookup(token)
    expect(who.statusCode).toBe(200)
    expect(who.json()).toEqual({
      email: 'lee@acme.test',
      name: 'Lee',
      role: 'agent',
      tenant: { name: 'Acme Support' },
      expires_at: body.expires_at,
    })

    const signedIn = await accept(token)
    expect(signedIn.statusCode).toBe(200)
    const session = signedIn.json()
    expect(session).toEqual({
      token: expect.stringMatching(/^ases_/),
      token_type: 'bearer',
      expires_at: expect.any(String),
      csrf_token: expect.any(String),
      user: {
        id: expect.stringMatching(/^usr_/),
        email: 'lee@acme.test',
        name: 'Lee',
        tenant_id: tenantId,
        role: 'agent',
      },
    })
    expect(String(signedIn.headers['set-cookie'])).toMatch(/^aurion_session=ases_/)
    const bearer = { authorization: `Bearer ${session.token}` }
    expect((await t.app.inject({ url: '/api/v1/conversations', headers: bearer })).statusCode).toBe(
      200,
    )
    expect((await t.app.inject({ url: '/api/v1/api-keys', headers: bearer })).statusCode).toBe(403)
    // They sign in with the password they chose.
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'lee@acme.test', password: PASSWORD },
    })
    expect(login.statusCode).toBe(200)
    // Used: the link works no more, and is no longer pending.
    expect((await accept(token, 'another password!!')).json()).toEqual(INVALID)
    expect((await lookup(token)).statusCode).toBe(400)
    expect(
      (await t.app.inject({ url: '/api/v1/team/invites', headers: owner.headers })).json(),
    ).toEqual({ invites: [] })
    // On the audit log: who invited, and the new member's acceptance (no email, no token).
    const audited = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'target', 'details'])
      .where('action', 'like', 'user.%')
      .orderBy('id')
      .execute()
    expect(audited).toEqual([
      {
        action: 'user.invited',
        actor_id: owner.user.id,
        target: body.id,
        details: '{"role":"agent","mailed":false}',
      },
      {
        action: 'user.invite_accepted',
        actor_id: session.user.id,
        target: session.user.id,
        details: '{"role":"agent"}',
      },
    ])
    expect(JSON.stringify(audited)).not.toContain(token)
  })

  it('an expired link is refused and creates nobody', async () => {
    const token = tokenOfLink(
      (await invite(admin.headers, { email: 'x@acme.test', role: 'agent' })).json().invite_url,
    )
    await t.db
      .updateTable('admin_invites')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .execute()
    expect((await lookup(token)).json()).toEqual(INVALID)
    const res = await accept(token)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual(INVALID)
    expect(
      await t.db
        .selectFrom('admin_users')
        .select('id')
        .where('email', '=', 'x@acme.test')
        .execute(),
    ).toEqual([])
  })

  it.each([
    ['a forged token', () => `ainv_${randomBase62(43)}`],
    ['a token without the prefix', () => randomBase62(48)],
    ['a near miss of the real one', () => 'NEAR'],
    ['an API key', () => 'itsm_sk_live_abc'],
  ])('%s is refused with the one answer', async (_name, make) => {
    const real = tokenOfLink(
      (await invite(owner.headers, { email: 'y@acme.test', role: 'admin' })).json().invite_url,
    )
    const forged =
      make() === 'NEAR' ? `${real.slice(0, -1)}${real.endsWith('a') ? 'b' : 'a'}` : make()
    for (const res of [await lookup(forged), await accept(forged)]) {
      expect(res.statusCode).toBe(400)
      expect(res.json()).toEqual(INVALID)
    }
    expect((await lookup(real)).statusCode).toBe(200)
  })

  it('a bad password is a 422 and leaves the link usable', async () => {
    const token = tokenOfLink(
      (await invite(owner.headers, { email: 'z@acme.test', role: 'agent' })).json().invite_url,
    )
    const res = await accept(token, 'short')
    expect(res.statusCode).toBe(422)
    expect(res.json().detail[0]).toMatchObject({ loc: ['body', 'password'] })
    expect((await accept(token)).statusCode).toBe(200)
  })

  it('two acceptances at once: one account, one refusal', async () => {
    const token = tokenOfLink(
      (await invite(owner.headers, { email: 'race@acme.test', role: 'agent' })).json().invite_url,
    )
    const results = await Promise.all([accept(token), accept(token), accept(token)])
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 400, 400])
    expect(
      await t.db
        .selectFrom('admin_users')
        .select('id')
        .where('email', '=', 'race@acme.test')
        .execute(),
    ).toHaveLength(1)
  })

  it('a withdrawn invitation, and one replaced by a newer one, stop working', async () => {
    const first = (await invite(owner.headers, { email: 'w@acme.test', role: 'agent' })).json()
    const second = (await invite(owner.headers, { email: 'w@acme.test', role: 'admin' })).json()
    expect((await lookup(tokenOfLink(first.invite_url))).json()).toEqual(INVALID)
    expect((await lookup(tokenOfLink(second.invite_url))).json().role).toBe('admin')
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/team/invites/${second.id}`,
      headers: admin.headers,
    })
    expect(del.statusCode).toBe(204)
    expect((await accept(tokenOfLink(second.invite_url))).json()).toEqual(INVALID)
  })

  it('only an owner invites an owner; agents and API keys invite nobody', async () => {
    const byAdmin = await invite(admin.headers, { email: 'boss@acme.test', role: 'owner' })
    expect(byAdmin.statusCode).toBe(403)
    expect(byAdmin.json()).toEqual({
      detail:
        'Your role (admin) does not allow this: it needs the owner role. Ask an owner or admin of your team.',
    })
    const byAgent = await invite(agent.headers, { email: 'friend@acme.test', role: 'agent' })
    expect(byAgent.statusCode).toBe(403)
    const byKey = await invite({ 'x-api-key': apiKey }, { email: 'k@acme.test', role: 'agent' })
    expect(byKey.statusCode).toBe(403)
    expect(await t.db.selectFrom('admin_invites').select('id').execute()).toEqual([])
    expect(
      (await invite(owner.headers, { email: 'boss@acme.test', role: 'owner' })).statusCode,
    ).toBe(201)
    expect(
      (await t.app.inject({ url: '/api/v1/team/invites', headers: agent.headers })).statusCode,
    ).toBe(403)
  })

  it.each([
    ['an existing console user', { email: 'SAM@acme.test', role: 'agent' }, 409],
    ['an invalid email', { email: 'not an email', role: 'agent' }, 422],
    ['an unknown role', { email: 'q@acme.test', role: 'boss' }, 422],
    ['no email', { role: 'agent' }, 422],
  ])('refuses %s', async (_name, payload, status) => {
    const res = await invite(owner.headers, payload)
    expect(res.statusCode).toBe(status)
    expect(res.json()).toHaveProperty('detail')
  })

  it("tenants stay apart: another tenant's admin can neither see nor withdraw an invitation", async () => {
    const created = (await invite(owner.headers, { email: 'iso@acme.test', role: 'agent' })).json()
    const other = await createTestTenant(t.db, { name: 'Other' })
    const stranger = await addMember(t.db, other.tenantId, 'owner', 'otto@other.test')
    const list = await t.app.inject({ url: '/api/v1/team/invites', headers: stranger.headers })
    expect(list.json()).toEqual({ invites: [] })
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/team/invites/${created.id}`,
      headers: stranger.headers,
    })
    expect(del.statusCode).toBe(404)
    // The person joins the tenant that invited them, nowhere else.
    const joined = (await accept(tokenOfLink(created.invite_url))).json()
    expect(joined.user.tenant_id).toBe(tenantId)
    const members = await t.app.inject({ url: '/api/v1/team/members', headers: stranger.headers })
    expect(members.json().members.map((m: { email: string }) => m.email)).toEqual([
      'otto@other.test',
    ])
  })

  it('wrong tokens from one address are throttled (429 with Retry-After)', async () => {
    let res = await lookup(`ainv_${randomBase62(43)}`, '10.1.2.3')
    for (let i = 0; i < 30 && res.statusCode === 400; i++)
      res = await lookup(`ainv_${randomBase62(43)}`, '10.1.2.3')
    expect(res.statusCode).toBe(429)
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    // Another address is not affected.
    expect((await lookup(`ainv_${randomBase62(43)}`, '10.9.9.9')).statusCode).toBe(400)
  })
})

describe.each(['sqlite'] as const)('team invitations by mail [%s]', (dialect) => {
  let t: TestApp
  let smtp: SmtpReceiver
  let owner: Awaited<ReturnType<typeof addMember>>

  beforeAll(async () => {
    smtp = new SmtpReceiver()
    const url = await smtp.start()
    t = await buildTestApp({
      dialect,
      env: {
        AURION_SMTP_URL: url,
        AURION_MAIL_FROM: 'Aurion <console@acme.test>',
        AURION_PUBLIC_URL: 'https://aurion.example.com',
      },
    })
    const tenant = await createTestTenant(t.db, { name: 'Acme Support' })
    owner = await addMember(t.db, tenant.tenantId, 'owner', 'olga@acme.test')
  })
  afterAll(async () => {
    await t.close()
    await smtp.stop()
  })

  it('mails the link (and does not return it); the mailed link works once', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/team/invites',
      headers: owner.headers,
      payload: { email: 'mia@acme.test', role: 'agent', name: 'Mia' },
    })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ mailed: true, invite_url: null })
    const mail = await smtp.next()
    expect(mail.to).toEqual(['mia@acme.test'])
    const text = mailText(mail)
    expect(text).toContain('Subject: You are invited to Acme Support on Aurion')
    expect(text).toContain(
      'Owner olga invited you to the Aurion console of Acme Support as an agent.',
    )
    expect(text).toContain('The link works once, for 72 hours.')
    const link = inviteLinkFromMail(mail)
    expect(link.startsWith('https://aurion.example.com/admin/invite/ainv_')).toBe(true)
    const accept = (password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/invites/accept',
        payload: { token: tokenOfLink(link), password },
      })
    const first = await accept(PASSWORD)
    expect(first.statusCode).toBe(200)
    expect(first.json().user).toMatchObject({ email: 'mia@acme.test', role: 'agent', name: 'Mia' })
    expect((await accept(PASSWORD)).statusCode).toBe(400)
  })

  it('when the mail server refuses, the inviter gets the link instead', async () => {
    smtp.refuse = true
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/team/invites',
        headers: owner.headers,
        payload: { email: 'refused@acme.test', role: 'agent' },
      })
      expect(res.statusCode).toBe(201)
      const body = res.json()
      expect(body.mailed).toBe(false)
      expect(body.invite_url).toMatch(/\/admin\/invite\/ainv_/)
      const who = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/invites/lookup',
        payload: { token: tokenOfLink(body.invite_url) },
      })
      expect(who.json().email).toBe('refused@acme.test')
    } finally {
      smtp.refuse = false
    }
  })
})
