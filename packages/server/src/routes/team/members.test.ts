import { afterEach, beforeEach, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
} from '../../../test/helpers.ts'
import { addMember } from '../../../test/team-support.ts'
import { availableAgents } from '../../team/availability.ts'

const ROLE_DETAIL = (role: string, needs: string) => ({
  detail: `Your role (${role}) does not allow this: it needs ${needs}. Ask an owner or admin of your team.`,
})

forEachDialect('team members API', (dialect) => {
  let t: TestApp
  let tenantId: string
  let apiKey: string
  let owner: Awaited<ReturnType<typeof addMember>>
  let admin: Awaited<ReturnType<typeof addMember>>
  let agent: Awaited<ReturnType<typeof addMember>>
  let outsider: Awaited<ReturnType<typeof addMember>>

  beforeEach(async () => {
    t = await buildTestApp({ dialect })
    const tenant = await createTestTenant(t.db, { name: 'Acme' })
    tenantId = tenant.tenantId
    apiKey = tenant.apiKey
    owner = await addMember(t.db, tenantId, 'owner', 'olga@acme.test')
    admin = await addMember(t.db, tenantId, 'admin', 'adam@acme.test')
    agent = await addMember(t.db, tenantId, 'agent', 'sam@acme.test')
    const other = await createTestTenant(t.db, { name: 'Other' })
    outsider = await addMember(t.db, other.tenantId, 'owner', 'otto@other.test')
  })
  afterEach(async () => t.close())

  const patchRole = (headers: object, userId: string, role: string) =>
    t.app.inject({
      method: 'PATCH',
      url: `/api/v1/team/members/${userId}`,
      headers: headers as Record<string, string>,
      payload: { role },
    })
  const remove = (headers: object, userId: string) =>
    t.app.inject({
      method: 'DELETE',
      url: `/api/v1/team/members/${userId}`,
      headers: headers as Record<string, string>,
    })
  const roleOf = async (userId: string) =>
    (
      await t.db
        .selectFrom('admin_users')
        .select('role')
        .where('id', '=', userId)
        .executeTakeFirst()
    )?.role

  it('lists the team, owners first, with role and availability; never another tenant', async () => {
    const res = await t.app.inject({ url: '/api/v1/team/members', headers: owner.headers })
    expect(res.statusCode).toBe(200)
    const { members } = res.json()
    expect(members.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual([
      ['olga@acme.test', 'owner'],
      ['adam@acme.test', 'admin'],
      ['sam@acme.test', 'agent'],
    ])
    expect(members[2]).toEqual({
      id: agent.user.id,
      email: 'sam@acme.test',
      name: 'Agent sam',
      role: 'agent',
      availability: 'away',
      chosen_availability: 'online',
      last_seen_at: null,
      created_at: expect.any(String),
    })
    expect(JSON.stringify(members)).not.toContain('password')
    // Agents see who is around too (to assign), but cannot change anything.
    expect(
      (await t.app.inject({ url: '/api/v1/team/members', headers: agent.headers })).json(),
    ).toEqual({ members })
  })

  it('needs a console session: an API key gets 403, nothing gets 401', async () => {
    const withKey = await t.app.inject({
      url: '/api/v1/team/members',
      headers: { 'x-api-key': apiKey },
    })
    expect(withKey.statusCode).toBe(403)
    expect(withKey.json()).toEqual({
      detail: 'This endpoint needs a console session, not an API key',
    })
    const none = await t.app.inject({ url: '/api/v1/team/members' })
    expect(none.statusCode).toBe(401)
  })

  it('an owner changes roles; the answer is the member', async () => {
    const res = await patchRole(owner.headers, agent.user.id, 'admin')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ id: agent.user.id, role: 'admin' })
    expect(await roleOf(agent.user.id)).toBe('admin')
    expect((await patchRole(owner.headers, admin.user.id, 'owner')).statusCode).toBe(200)
    expect(await roleOf(admin.user.id)).toBe('owner')
    const audited = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'target', 'details'])
      .where('tenant_id', '=', tenantId)
      .orderBy('id')
      .execute()
    expect(audited).toEqual([
      {
        action: 'user.role_changed',
        actor_id: owner.user.id,
        target: agent.user.id,
        details: '{"role":"admin"}',
      },
      {
        action: 'user.role_changed',
        actor_id: owner.user.id,
        target: admin.user.id,
        details: '{"role":"owner"}',
      },
    ])
  })

  it('an admin changes admins and agents, but never makes or changes an owner', async () => {
    expect((await patchRole(admin.headers, agent.user.id, 'admin')).statusCode).toBe(200)
    const promote = await patchRole(admin.headers, agent.user.id, 'owner')
    expect(promote.statusCode).toBe(403)
    expect(promote.json()).toEqual(ROLE_DETAIL('admin', 'the owner role'))
    const demoteOwner = await patchRole(admin.headers, owner.user.id, 'agent')
    expect(demoteOwner.statusCode).toBe(403)
    expect(demoteOwner.json()).toEqual(ROLE_DETAIL('admin', 'the owner role'))
    expect((await remove(admin.headers, owner.user.id)).statusCode).toBe(403)
    expect(await roleOf(owner.user.id)).toBe('owner')
    expect(await roleOf(agent.user.id)).toBe('admin')
  })

  it('an agent changes nobody, not even themselves', async () => {
    for (const res of [
      await patchRole(agent.headers, agent.user.id, 'owner'),
      await patchRole(agent.headers, admin.user.id, 'agent'),
      await remove(agent.headers, admin.user.id),
    ]) {
      expect(res.statusCode).toBe(403)
      expect(res.json()).toEqual(ROLE_DETAIL('agent', 'the owner or admin role'))
    }
    expect(await roleOf(agent.user.id)).toBe('agent')
    expect(await roleOf(admin.user.id)).toBe('admin')
  })

  it('the last owner can be neither demoted nor removed', async () => {
    const res = await patchRole(owner.headers, owner.user.id, 'admin')
    expect(res.statusCode).toBe(409)
    expect(res.json()).toEqual({
      detail: 'The team needs at least one owner: make someone else an owner first',
    })
    expect(await roleOf(owner.user.id)).toBe('owner')
    const self = await remove(owner.headers, owner.user.id)
    expect(self.statusCode).toBe(409)
    // With a second owner, one may step down; then the other is the last again.
    expect((await patchRole(owner.headers, admin.user.id, 'owner')).statusCode).toBe(200)
    expect((await patchRole(owner.headers, owner.user.id, 'agent')).statusCode).toBe(200)
    expect((await patchRole(admin.headers, admin.user.id, 'agent')).statusCode).toBe(409)
    expect(await roleOf(admin.user.id)).toBe('owner')
  })

  it('two owners demoting each other at once leave exactly one owner', async () => {
    expect((await patchRole(owner.headers, admin.user.id, 'owner')).statusCode).toBe(200)
    const [a, b] = await Promise.all([
      patchRole(owner.headers, admin.user.id, 'agent'),
      patchRole(admin.headers, owner.user.id, 'agent'),
    ])
    // The loser is refused as a non-owner (demoted first) or as the last owner.
    expect([a.statusCode, b.statusCode].filter((s) => s === 200)).toHaveLength(1)
    expect([a.statusCode, b.statusCode].filter((s) => s === 403 || s === 409)).toHaveLength(1)
    const owners = await t.db
      .selectFrom('admin_users')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('role', '=', 'owner')
      .execute()
    expect(owners).toHaveLength(1)
  })

  it("another tenant's member is 404 and stays as they were", async () => {
    expect((await patchRole(owner.headers, outsider.user.id, 'agent')).statusCode).toBe(404)
    expect((await remove(owner.headers, outsider.user.id)).statusCode).toBe(404)
    expect(await roleOf(outsider.user.id)).toBe('owner')
    // And the outsider cannot touch this team.
    expect((await remove(outsider.headers, agent.user.id)).statusCode).toBe(404)
    expect(await roleOf(agent.user.id)).toBe('agent')
  })

  it('a removed member is signed out at once and gone from the team', async () => {
    const res = await remove(admin.headers, agent.user.id)
    expect(res.statusCode).toBe(204)
    const audited = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'target'])
      .where('action', '=', 'user.removed')
      .execute()
    expect(audited).toEqual([
      { action: 'user.removed', actor_id: admin.user.id, target: agent.user.id },
    ])
    const after = await t.app.inject({ url: '/api/v1/conversations', headers: agent.headers })
    expect(after.statusCode).toBe(401)
    expect(await roleOf(agent.user.id)).toBeUndefined()
    expect((await remove(admin.headers, agent.user.id)).statusCode).toBe(404)
  })

  it.each([
    ['an unknown role', { role: 'superuser' }],
    ['no role', {}],
  ])('refuses %s with 422', async (_name, payload) => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/team/members/${agent.user.id}`,
      headers: owner.headers,
      payload,
    })
    expect(res.statusCode).toBe(422)
    expect(Array.isArray(res.json().detail)).toBe(true)
    expect(await roleOf(agent.user.id)).toBe('agent')
  })

  it('availability: online while a tab beats and the member chose online; away otherwise', async () => {
    const beat = (closing = false) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/team/me/heartbeat',
        headers: agent.headers,
        payload: { tab_id: 'tab_0123456789', ...(closing ? { closing: true } : {}) },
      })
    const me = async () =>
      (await t.app.inject({ url: '/api/v1/team/me', headers: agent.headers })).json()
    expect((await me()).availability).toBe('away')
    expect((await beat()).statusCode).toBe(204)
    expect(await me()).toMatchObject({ availability: 'online', chosen_availability: 'online' })
    expect((await availableAgents(t.db, tenantId)).map((a) => a.email)).toEqual(['sam@acme.test'])

    const away = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/team/me',
      headers: agent.headers,
      payload: { availability: 'away' },
    })
    expect(away.statusCode).toBe(200)
    expect(away.json()).toMatchObject({ availability: 'away', chosen_availability: 'away' })
    expect(await availableAgents(t.db, tenantId)).toEqual([])
    await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/team/me',
      headers: agent.headers,
      payload: { availability: 'online' },
    })
    expect((await me()).availability).toBe('online')
    expect((await beat(true)).statusCode).toBe(204)
    expect((await me()).availability).toBe('away')
    expect(await availableAgents(t.db, tenantId)).toEqual([])
  })

  it.each([
    ['a bad availability', 'PATCH', '/api/v1/team/me', { availability: 'busy' }],
    ['a short tab id', 'POST', '/api/v1/team/me/heartbeat', { tab_id: 'x' }],
    ['a tab id with spaces', 'POST', '/api/v1/team/me/heartbeat', { tab_id: 'tab with space' }],
  ] as const)('refuses %s with 422', async (_name, method, url, payload) => {
    const res = await t.app.inject({ method, url, headers: agent.headers, payload })
    expect(res.statusCode).toBe(422)
  })
})
