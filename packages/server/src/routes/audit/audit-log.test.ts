import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { auditHash, recordAudit } from '../../audit/audit.ts'
import { createApiKey } from '../../auth/api-key-repo.ts'

const LOG = '/api/v1/audit-log'
const PASSWORD = 'correct horse battery staple'

interface Entry {
  id: string
  action: string
  actor: { type: string; id: string | null }
  target: string | null
  details: Record<string, unknown>
  ip: string | null
  created_at: string
}

forEachDialect('audit log', (dialect) => {
  let t: TestApp
  let a: TestTenant
  beforeAll(async () => {
    t = await buildTestApp({ dialect, env: { AURION_TRUST_PROXY: 'true' } })
    a = await createTestTenant(t.db, {
      consoleUser: { email: 'ada@audit.test', password: PASSWORD },
    })
  })
  afterAll(async () => t.close())

  const key = (k: string, ip = '203.0.113.7') => ({ 'x-api-key': k, 'x-forwarded-for': ip })
  async function entries(query = '', apiKey = a.apiKey): Promise<Entry[]> {
    const res = await t.app.inject({ url: `${LOG}${query}`, headers: key(apiKey) })
    expect(res.statusCode, res.body).toBe(200)
    return res.json().entries
  }
  it('records each administrative action with actor, IP and time', async () => {
    const before = new Date().toISOString()
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/voice-widget/config',
      headers: key(a.apiKey),
      payload: {
        enabled: true,
        display_title: 'Audited',
        launcher_label: 'Chat with us',
        theme: 'dark',
      },
    })
    expect(put.statusCode).toBe(200)
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: key(a.apiKey),
      payload: { name: 'ci', scopes: ['config:read'] },
    })
    expect(created.statusCode).toBe(201)
    const newKeyId = created.json().id as string
    expect(
      (
        await t.app.inject({
          method: 'DELETE',
          url: `/api/v1/api-keys/${newKeyId}`,
          headers: key(a.apiKey),
        })
      ).statusCode,
    ).toBe(200)
    // Revoking it again changes nothing and records nothing.
    await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${newKeyId}`,
      headers: key(a.apiKey),
    })
    for (const path of ['regenerate-key', 'rotate-identity-secret']) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/voice-widget/config/${path}`,
        headers: key(a.apiKey),
      })
      expect(res.statusCode).toBe(200)
    }
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'x-forwarded-for': '198.51.100.9' },
      payload: { email: 'ADA@audit.test', password: 'wrong password' },
    })
    expect(bad.statusCode).toBe(401)
    const good = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'x-forwarded-for': '198.51.100.9' },
      payload: { email: 'ada@audit.test', password: PASSWORD },
    })
    expect(good.statusCode).toBe(200)

    const list = await entries()
    const actions = list.map((e) => e.action)
    expect(actions).toEqual([
      'console.signed_in',
      'console.sign_in_failed',
      'identity_secret.rotated',
      'widget_key.regenerated',
      'api_key.revoked',
      'api_key.created',
      'config.updated',
    ])
    const keyRow = await t.db
      .selectFrom('api_keys')
      .select('id')
      .where('tenant_id', '=', a.tenantId)
      .orderBy('created_at')
      .executeTakeFirstOrThrow()
    const byAction = Object.fromEntries(list.map((e) => [e.action, e]))
    expect(byAction['config.updated']).toMatchObject({
      actor: { type: 'api_key', id: keyRow.id },
      ip: '203.0.113.7',
      details: { fields: ['display_title', 'theme'] },
    })
    expect(byAction['api_key.created']).toMatchObject({
      target: newKeyId,
      details: { name: 'ci', scopes: ['config:read'] },
    })
    expect(byAction['api_key.revoked']).toMatchObject({ target: newKeyId })
    expect(byAction['console.signed_in']).toMatchObject({
      actor: { type: 'user', id: a.consoleUser!.id },
      ip: '198.51.100.9',
    })
    expect(byAction['console.sign_in_failed']).toMatchObject({
      actor: { type: 'anonymous', id: null },
      target: a.consoleUser!.id,
      details: { email_hash: auditHash(t.config.secret, 'ada@audit.test') },
    })
    for (const e of list) {
      expect(e.created_at >= before).toBe(true)
      expect(e.id).toMatch(/^aud_/)
    }
    // Never a password, a secret or an address in the log.
    const raw = JSON.stringify(await t.db.selectFrom('audit_log').selectAll().execute())
    expect(raw).not.toContain('wrong password')
    expect(raw).not.toContain(PASSWORD)
    expect(raw).not.toContain('ada@audit.test')
  })

  it('a console session reads the log and its actions are the user’s', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'ada@audit.test', password: PASSWORD },
    })
    const token = login.json().token as string
    const auth = { authorization: `Bearer ${token}` }
    await t.app.inject({
      method: 'PUT',
      url: '/api/v1/voice-widget/config',
      headers: auth,
      payload: { enabled: true, display_title: 'By Ada', launcher_label: 'Chat with us' },
    })
    const res = await t.app.inject({ url: `${LOG}?action=config.updated&limit=1`, headers: auth })
    expect(res.statusCode).toBe(200)
    expect(res.json().entries[0]).toMatchObject({
      actor: { type: 'user', id: a.consoleUser!.id },
      details: { fields: ['display_title'] },
    })
  })

  it('records team changes: invitations, withdrawals, role changes, removals', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'ada@audit.test', password: PASSWORD },
    })
    const auth = { authorization: `Bearer ${login.json().token}` }
    const invite = async (email: string, role: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/team/invites',
        headers: auth,
        payload: { email, role },
      })
      expect(res.statusCode, res.body).toBe(201)
      return res.json().id as string
    }
    const first = await invite('sam@audit.test', 'agent')
    await invite('kim@audit.test', 'admin')
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/team/invites/${first}`,
      headers: auth,
    })
    expect(del.statusCode).toBe(204)
    const members = (await t.app.inject({ url: '/api/v1/team/members', headers: auth })).json()
      .members
    expect(members.length).toBeGreaterThan(0)
    const list = await entries('?limit=10')
    expect(list.slice(0, 3).map((e) => e.action)).toEqual([
      'user.invite_withdrawn',
      'user.invited',
      'user.invited',
    ])
    expect(list[2]).toMatchObject({
      actor: { type: 'user', id: a.consoleUser!.id },
      target: first,
      details: { role: 'agent' },
    })
    expect(JSON.stringify(list)).not.toContain('sam@audit.test')
  })

  it('an unchanged config records nothing', async () => {
    const n = (await entries('?action=config.updated')).length
    const cfg = (
      await t.app.inject({ url: '/api/v1/voice-widget/config', headers: key(a.apiKey) })
    ).json()
    await t.app.inject({
      method: 'PUT',
      url: '/api/v1/voice-widget/config',
      headers: key(a.apiKey),
      payload: {
        enabled: cfg.enabled,
        display_title: cfg.display_title,
        launcher_label: cfg.launcher_label,
      },
    })
    expect((await entries('?action=config.updated')).length).toBe(n)
  })

  it('filters by action, actor and time, and pages with a cursor', async () => {
    const b = await createTestTenant(t.db)
    const other = await createApiKey(t.db, { tenantId: b.tenantId, scopes: ['audit:read'] })
    for (let i = 0; i < 7; i++) {
      await recordAudit(t.db, {
        tenantId: b.tenantId,
        actor: { type: i % 2 ? 'user' : 'api_key', id: i % 2 ? 'usr_x' : 'key_y' },
        action: i < 5 ? 'test.one' : 'test.two',
        target: String(i),
        ip: '192.0.2.1',
      })
    }
    const all = await entries('', other.key)
    expect(all.map((e) => e.target)).toEqual(['6', '5', '4', '3', '2', '1', '0'])
    expect((await entries('?action=test.two', other.key)).map((e) => e.target)).toEqual(['6', '5'])
    expect((await entries('?actor=usr_x', other.key)).map((e) => e.target)).toEqual(['5', '3', '1'])
    const mid = all[3]!.created_at
    const from = await entries(`?from=${encodeURIComponent(mid)}`, other.key)
    expect(from.every((e) => e.created_at >= mid)).toBe(true)
    const to = await entries(`?to=${encodeURIComponent(mid)}`, other.key)
    expect(to.every((e) => e.created_at < mid)).toBe(true)
    expect(from.length + to.length).toBe(7)

    const seen: string[] = []
    let cursor: string | null = null
    do {
      const q: string = `?limit=3${cursor ? `&cursor=${cursor}` : ''}`
      const res = await t.app.inject({ url: `${LOG}${q}`, headers: key(other.key) })
      const body = res.json() as { entries: Entry[]; next_cursor: string | null }
      expect(body.entries.length).toBeLessThanOrEqual(3)
      seen.push(...body.entries.map((e) => e.target!))
      cursor = body.next_cursor
    } while (cursor !== null)
    expect(seen).toEqual(['6', '5', '4', '3', '2', '1', '0'])
    // Tenant A's entries never show up for B, nor B's for A.
    expect(all.some((e) => e.action === 'config.updated')).toBe(false)
    expect((await entries()).some((e) => e.action.startsWith('test.'))).toBe(false)
  })

  it('needs audit:read; bad filters are 422', async () => {
    const noScope = await createApiKey(t.db, { tenantId: a.tenantId, scopes: ['config:read'] })
    const res = await t.app.inject({ url: LOG, headers: key(noScope.key) })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({ detail: 'API key missing required scope: audit:read' })
    expect((await t.app.inject({ url: LOG })).statusCode).toBe(401)
    for (const q of ['?from=yesterday', '?limit=0', '?limit=1000', '?cursor=../../etc']) {
      const r = await t.app.inject({ url: `${LOG}${q}`, headers: key(a.apiKey) })
      expect(r.statusCode, q).toBe(422)
      expect(Array.isArray(r.json().detail)).toBe(true)
    }
  })

  it('is append-only: no route changes it, and the database refuses UPDATE and DELETE', async () => {
    const [first] = await entries()
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      for (const url of [LOG, `${LOG}/${first!.id}`]) {
        const res = await t.app.inject({ method, url, headers: key(a.apiKey), payload: {} })
        expect([404, 405], `${method} ${url}`).toContain(res.statusCode)
      }
    }
    await expect(
      t.db.updateTable('audit_log').set({ action: 'forged' }).where('id', '=', first!.id).execute(),
    ).rejects.toThrow(/append-only/)
    await expect(
      t.db.deleteFrom('audit_log').where('id', '=', first!.id).execute(),
    ).rejects.toThrow(/append-only/)
    await expect(sql`delete from audit_log`.execute(t.db)).rejects.toThrow(/append-only/)
    expect((await entries())[0]).toEqual(first)
  })
})

describe('audit helpers', () => {
  it('hashes personal data with the server secret, case-insensitively', () => {
    expect(auditHash('s1', 'A@x.test')).toBe(auditHash('s1', 'a@x.test'))
    expect(auditHash('s1', 'a@x.test')).not.toBe(auditHash('s2', 'a@x.test'))
    expect(auditHash('s1', 'a@x.test')).toMatch(/^[0-9a-f]{64}$/)
  })
})
