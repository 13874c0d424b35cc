import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { answer, type HttpReceiver, startHttpReceiver } from '../../../test/http-receiver.ts'
import { createAdminSession } from '../../admin-users/session-repo.ts'
import { createAdminUser } from '../../admin-users/user-repo.ts'

const BASE = '/api/v1/webhooks'
const SECRET_RE = /^whsec_[A-Za-z0-9+/]{43}=$/

forEachDialect('webhooks API', (dialect) => {
  let t: TestApp
  let receiver: HttpReceiver
  let acme: TestTenant
  let other: TestTenant
  beforeAll(async () => {
    t = await buildTestApp({ dialect, env: { AURION_WEBHOOK_ALLOW_PRIVATE: 'true' } })
    receiver = await startHttpReceiver()
    acme = await createTestTenant(t.db)
    other = await createTestTenant(t.db, { name: 'Other' })
  })
  afterAll(async () => {
    await t.close()
    await receiver.close()
  })

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: object,
    key = acme.apiKey,
  ) =>
    t.app.inject({
      method,
      url,
      headers: { 'x-api-key': key },
      ...(body !== undefined ? { payload: body } : {}),
    })

  it('creates an endpoint: 201 with the secret, which no read ever shows again', async () => {
    const res = await call('POST', BASE, {
      url: `${receiver.url}/hooks`,
      events: ['message.created', 'conversation.created'],
      description: 'CRM',
    })
    expect(res.statusCode).toBe(201)
    const body = res.json()
    expect(Object.keys(body).sort()).toEqual(
      [
        'created_at',
        'description',
        'disabled_reason',
        'enabled',
        'events',
        'format',
        'id',
        'secret',
        'updated_at',
        'url',
      ].sort(),
    )
    expect(body).toMatchObject({
      url: `${receiver.url}/hooks`,
      events: ['message.created', 'conversation.created'],
      description: 'CRM',
      enabled: true,
      format: 'standard',
      disabled_reason: null,
    })
    expect(body.secret).toMatch(SECRET_RE)
    const one = await call('GET', `${BASE}/${body.id}`)
    expect(one.statusCode).toBe(200)
    expect(one.json().secret).toBeUndefined()
    expect(JSON.stringify(one.json())).not.toContain(body.secret.slice(6))
    const list = (await call('GET', BASE)).json()
    expect(list.webhooks.map((w: { id: string }) => w.id)).toContain(body.id)
    expect(JSON.stringify(list)).not.toContain(body.secret.slice(6))
    // Stored sealed, not in plaintext.
    const row = await t.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(row)).not.toContain(body.secret.slice(6))
  })

  it('refuses unknown events and bad URLs with 422 naming the field', async () => {
    const bad = await call('POST', BASE, {
      url: `${receiver.url}/x`,
      events: ['message.created', 'nope'],
    })
    expect(bad.statusCode).toBe(422)
    expect(bad.json().detail[0].loc).toEqual(['body', 'events', 1])
    const url = await call('POST', BASE, { url: 'ftp://example.com/', events: ['message.created'] })
    expect(url.statusCode).toBe(422)
    expect(url.json().detail[0].loc).toEqual(['body', 'url'])
    const none = await call('POST', BASE, { url: 'https://example.com/', events: [] })
    expect(none.statusCode).toBe(422)
    const ping = await call('POST', BASE, { url: 'https://example.com/', events: ['ping'] })
    expect(ping.statusCode).toBe(422)
    const patch = await call('PATCH', `${BASE}/wh_missing`, { events: ['bogus'] })
    expect(patch.statusCode).toBe(422)
  })

  it('scopes: webhooks:read reads, writing needs webhooks:write', async () => {
    const reader = await createTestTenant(t.db, { scopes: ['webhooks:read'] })
    expect((await call('GET', BASE, undefined, reader.apiKey)).statusCode).toBe(200)
    const w = await call(
      'POST',
      BASE,
      { url: 'https://example.com/', events: ['ping'] },
      reader.apiKey,
    )
    expect(w.statusCode).toBe(403)
    expect(w.json()).toEqual({ detail: 'API key missing required scope: webhooks:write' })
    const config = await createTestTenant(t.db, { scopes: ['config:read', 'config:write'] })
    const r = await call('GET', BASE, undefined, config.apiKey)
    expect(r.statusCode).toBe(403)
    expect(r.json()).toEqual({ detail: 'API key missing required scope: webhooks:read' })
    expect((await t.app.inject({ method: 'GET', url: BASE })).statusCode).toBe(401)
  })

  it('console sessions: owners manage webhooks, agents may not', async () => {
    const session = async (role: 'owner' | 'agent') => {
      const user = await createAdminUser(t.db, {
        tenantId: acme.tenantId,
        email: `${role}-wh@acme.test`,
        name: role,
        password: 'a long enough password',
        role,
      })
      const { token } = await createAdminSession(t.db, { userId: user.id, tenantId: acme.tenantId })
      return { authorization: `Bearer ${token}` }
    }
    const owner = await session('owner')
    const made = await t.app.inject({
      method: 'POST',
      url: BASE,
      headers: owner,
      payload: { url: 'https://example.com/s', events: ['conversation.resolved'] },
    })
    expect(made.statusCode).toBe(201)
    expect((await t.app.inject({ method: 'GET', url: BASE, headers: owner })).statusCode).toBe(200)
    const agent = await session('agent')
    const refused = await t.app.inject({ method: 'GET', url: BASE, headers: agent })
    expect(refused.statusCode).toBe(403)
    expect(refused.json().detail).toContain('webhooks:read')
  })

  it("another tenant's endpoint is a 404 for every operation", async () => {
    const id = (
      await call('POST', BASE, { url: 'https://example.com/a', events: ['message.created'] })
    ).json().id
    for (const [method, path, body] of [
      ['GET', `${BASE}/${id}`],
      ['PATCH', `${BASE}/${id}`, { enabled: false }],
      ['POST', `${BASE}/${id}/test`],
      ['POST', `${BASE}/${id}/rotate-secret`],
      ['GET', `${BASE}/${id}/deliveries`],
      ['DELETE', `${BASE}/${id}`],
    ] as const) {
      const res = await call(method, path, body, other.apiKey)
      expect(res.statusCode, `${method} ${path}`).toBe(404)
    }
    expect((await call('GET', BASE, undefined, other.apiKey)).json().webhooks).toEqual([])
    expect((await call('GET', `${BASE}/${id}`)).statusCode).toBe(200)
  })

  it('PATCH changes fields; DELETE removes (204, then 404)', async () => {
    const id = (
      await call('POST', BASE, { url: 'https://example.com/b', events: ['message.created'] })
    ).json().id
    const p = await call('PATCH', `${BASE}/${id}`, {
      events: ['conversation.resolved'],
      enabled: false,
      description: null,
      format: 'slack',
    })
    expect(p.statusCode).toBe(200)
    expect(p.json()).toMatchObject({
      events: ['conversation.resolved'],
      enabled: false,
      format: 'slack',
      description: null,
    })
    expect((await call('GET', `${BASE}/${id}`)).json().enabled).toBe(false)
    expect((await call('DELETE', `${BASE}/${id}`)).statusCode).toBe(204)
    expect((await call('GET', `${BASE}/${id}`)).statusCode).toBe(404)
    expect((await call('DELETE', `${BASE}/${id}`)).statusCode).toBe(404)
  })

  it('test sends a signed ping (verified with standardwebhooks); retry reuses its webhook-id; rotation signs with the new secret', async () => {
    receiver.respond(answer(200, 'ok'))
    const created = (
      await call('POST', BASE, { url: `${receiver.url}/ping`, events: ['message.created'] })
    ).json()
    const before = receiver.requests.length
    const test = await call('POST', `${BASE}/${created.id}/test`)
    expect(test.statusCode).toBe(200)
    expect(test.json()).toMatchObject({
      event: 'ping',
      status: 'succeeded',
      status_code: 200,
      attempt_count: 1,
    })
    const got = await receiver.waitFor(before + 1)
    const verified = new Webhook(created.secret).verify(
      got.body,
      got.headers as Record<string, string>,
    )
    expect(verified).toMatchObject({ type: 'ping', data: { endpoint_id: created.id } })
    expect(got.headers['webhook-id']).toBe(test.json().event_id)
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(
        got.body,
        got.headers as Record<string, string>,
      ),
    ).toThrow()

    const retry = await call('POST', `${BASE}/${created.id}/deliveries/${test.json().id}/retry`)
    expect(retry.statusCode).toBe(200)
    expect(retry.json()).toMatchObject({ status: 'succeeded', attempt_count: 2 })
    expect(retry.json().attempts).toHaveLength(2)
    const again = await receiver.waitFor(before + 2)
    expect(again.headers['webhook-id']).toBe(got.headers['webhook-id'])

    const rotated = await call('POST', `${BASE}/${created.id}/rotate-secret`)
    expect(rotated.statusCode).toBe(200)
    expect(rotated.json().secret).toMatch(SECRET_RE)
    expect(rotated.json().secret).not.toBe(created.secret)
    await call('POST', `${BASE}/${created.id}/test`)
    const third = await receiver.waitFor(before + 3)
    expect(() =>
      new Webhook(rotated.json().secret).verify(
        third.body,
        third.headers as Record<string, string>,
      ),
    ).not.toThrow()
    expect(() =>
      new Webhook(created.secret).verify(third.body, third.headers as Record<string, string>),
    ).toThrow()

    const log = (await call('GET', `${BASE}/${created.id}/deliveries`)).json().deliveries
    expect(log).toHaveLength(2)
    expect(log[1].attempts[0]).toMatchObject({
      attempt: 1,
      status_code: 200,
      error: null,
      next_retry_at: null,
    })
    expect(typeof log[1].attempts[0].duration_ms).toBe('number')
    expect((await call('POST', `${BASE}/${created.id}/deliveries/whd_nope/retry`)).statusCode).toBe(
      404,
    )
  })

  it('a failing answer is logged with its error and next retry; 410 Gone switches the endpoint off', async () => {
    const created = (
      await call('POST', BASE, { url: `${receiver.url}/gone`, events: ['message.created'] })
    ).json()
    receiver.respond(answer(503, 'down for maintenance'))
    const failed = (await call('POST', `${BASE}/${created.id}/test`)).json()
    expect(failed).toMatchObject({ status: 'pending', status_code: 503 })
    expect(failed.error).toContain('503')
    expect(failed.error).toContain('down for maintenance')
    expect(Date.parse(failed.next_retry_at)).toBeGreaterThan(Date.now())
    receiver.respond(answer(410))
    const gone = (await call('POST', `${BASE}/${created.id}/deliveries/${failed.id}/retry`)).json()
    expect(gone).toMatchObject({ status: 'failed', status_code: 410, next_retry_at: null })
    expect((await call('GET', `${BASE}/${created.id}`)).json()).toMatchObject({
      enabled: false,
      disabled_reason: 'gone',
    })
    const on = (await call('PATCH', `${BASE}/${created.id}`, { enabled: true })).json()
    expect(on).toMatchObject({ enabled: true, disabled_reason: null })
    receiver.respond(answer(200))
  })

  it('PUT config and key regeneration are delivered as widget events', async () => {
    const created = (
      await call('POST', BASE, {
        url: `${receiver.url}/widget`,
        events: ['widget.config.updated', 'widget.key.regenerated'],
      })
    ).json()
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/voice-widget/config',
      headers: { 'x-api-key': acme.apiKey },
      payload: {
        enabled: true,
        display_title: 'Help',
        launcher_label: 'Chat',
        primary_color: '#112233',
      },
    })
    expect(put.statusCode).toBe(200)
    const regen = await t.app.inject({
      method: 'POST',
      url: '/api/v1/voice-widget/config/regenerate-key',
      headers: { 'x-api-key': acme.apiKey },
    })
    expect(regen.statusCode).toBe(200)
    const log = (await call('GET', `${BASE}/${created.id}/deliveries`)).json().deliveries
    expect(log.map((d: { event: string }) => d.event)).toEqual([
      'widget.key.regenerated',
      'widget.config.updated',
    ])
    // An app driven by inject() does not poll: deliver them on demand.
    const before = receiver.requests.length
    for (const d of [...log].reverse())
      await call('POST', `${BASE}/${created.id}/deliveries/${d.id}/retry`)
    const config = new Webhook(created.secret).verify(
      (await receiver.waitFor(before + 1)).body,
      receiver.requests[before]!.headers as Record<string, string>,
    ) as { data: { changed: string[] } }
    expect(config.data.changed).toContain('primary_color')
    const key = JSON.parse((await receiver.waitFor(before + 2)).body)
    expect(key.type).toBe('widget.key.regenerated')
    expect(key.data.public_widget_key).toBe(regen.json().public_widget_key)
    expect(typeof key.timestamp).toBe('string')
  })
})

describe('webhooks API without AURION_WEBHOOK_ALLOW_PRIVATE', () => {
  let t: TestApp
  let receiver: HttpReceiver
  let acme: TestTenant
  beforeAll(async () => {
    t = await buildTestApp()
    receiver = await startHttpReceiver()
    acme = await createTestTenant(t.db)
  })
  afterAll(async () => {
    await t.close()
    await receiver.close()
  })

  it.each([
    'http://example.com/hook',
    'https://127.0.0.1/hook',
    'https://localhost:8443/',
    'https://169.254.169.254/latest/meta-data/',
    'https://[::1]/',
    'https://10.1.2.3/',
  ])('refuses %s with 422', async (url) => {
    const res = await t.app.inject({
      method: 'POST',
      url: BASE,
      headers: { 'x-api-key': acme.apiKey },
      payload: { url, events: ['message.created'] },
    })
    expect(res.statusCode).toBe(422)
    expect(res.json().detail[0].loc).toEqual(['body', 'url'])
  })

  it('an endpoint that points to loopback anyway (stored earlier, or DNS changed) is never contacted', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: BASE,
      headers: { 'x-api-key': acme.apiKey },
      payload: { url: 'https://example.com/hook', events: ['message.created'] },
    })
    const id = created.json().id
    await t.db
      .updateTable('webhook_endpoints')
      .set({ url: receiver.url.replace('http:', 'https:') })
      .where('id', '=', id)
      .execute()
    const test = await t.app.inject({
      method: 'POST',
      url: `${BASE}/${id}/test`,
      headers: { 'x-api-key': acme.apiKey },
    })
    expect(test.json()).toMatchObject({ status: 'pending', status_code: null })
    expect(test.json().error).toMatch(/private, loopback or link-local/)
    expect(receiver.requests).toHaveLength(0)
  })
})
