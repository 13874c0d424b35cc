import { afterEach, beforeEach, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { seedDemoArticles } from '../../knowledge/demo-articles.ts'

const TOKEN = 'internal-token-phone-0123456789abcdef0123456789ab'
const AUTH = { authorization: `Bearer ${TOKEN}` }

const startCall = (t: TestApp, payload: Record<string, unknown>, headers = AUTH) =>
  t.app.inject({ method: 'POST', url: '/internal/v1/phone/calls', headers, payload })

forEachDialect('internal API: phone calls', (dialect) => {
  let t: TestApp
  let a: TestTenant
  beforeEach(async () => {
    t = await buildTestApp({ dialect, env: { AURION_INTERNAL_TOKEN: TOKEN } })
    a = await createTestTenant(t.db, { name: 'Phones' })
    await seedDemoArticles(t.db, a.tenantId)
  })
  afterEach(() => t.close())

  it('a caller gets a contact of their own by number and a conversation; calling again continues it', async () => {
    const first = await startCall(t, { tenant_id: a.tenantId, caller_number: '+15550123' })
    expect(first.statusCode, first.body).toBe(200)
    const call = first.json()
    expect(call).toMatchObject({ tenant_id: a.tenantId, resumed: false, transfer_to: null })
    expect(call.greeting).toMatch(/\S/)
    const contact = await t.db
      .selectFrom('contacts')
      .selectAll()
      .where('id', '=', call.contact_id)
      .executeTakeFirstOrThrow()
    expect(contact).toMatchObject({ tenant_id: a.tenantId, phone: '+15550123', email: null })

    // A spoken question answered over the reply stream, stored with channel "phone".
    const reply = await t.app.inject({
      method: 'POST',
      url: `/internal/v1/conversations/${call.conversation_id}/reply`,
      headers: AUTH,
      payload: {
        tenant_id: a.tenantId,
        thread_id: call.thread_id,
        channel: 'phone',
        segment_id: 'seg-1',
        text: 'How do I reset my password?',
      },
    })
    expect(reply.statusCode, reply.body).toBe(200)
    const stored = await t.db
      .selectFrom('messages')
      .select(['sender_type', 'channel'])
      .where('conversation_id', '=', call.conversation_id)
      .orderBy('seq')
      .execute()
    expect(stored).toEqual([
      { sender_type: 'contact', channel: 'phone' },
      { sender_type: 'ai', channel: 'phone' },
    ])

    const again = (await startCall(t, { tenant_id: a.tenantId, caller_number: '+15550123' })).json()
    expect(again).toMatchObject({
      conversation_id: call.conversation_id,
      thread_id: call.thread_id,
      contact_id: call.contact_id,
      resumed: true,
    })
  })

  it('a resolved conversation is not continued; a withheld number always starts afresh; numbers never merge with email contacts', async () => {
    const first = (await startCall(t, { tenant_id: a.tenantId, caller_number: '+15550124' })).json()
    await t.db
      .updateTable('conversations')
      .set({ status: 'resolved' })
      .where('id', '=', first.conversation_id)
      .execute()
    const next = (await startCall(t, { tenant_id: a.tenantId, caller_number: '+15550124' })).json()
    expect(next.resumed).toBe(false)
    expect(next.conversation_id).not.toBe(first.conversation_id)
    expect(next.contact_id).toBe(first.contact_id)

    const hidden1 = (await startCall(t, { tenant_id: a.tenantId, caller_number: null })).json()
    const hidden2 = (await startCall(t, { tenant_id: a.tenantId })).json()
    const junk = (await startCall(t, { tenant_id: a.tenantId, caller_number: 'anonymous' })).json()
    const ids = new Set([hidden1, hidden2, junk].map((c) => c.contact_id))
    expect(ids.size).toBe(3)
    for (const c of [hidden1, hidden2, junk]) expect(c.resumed).toBe(false)
    const emailContacts = await t.db
      .selectFrom('contacts')
      .select('id')
      .where('tenant_id', '=', a.tenantId)
      .where('email', 'is not', null)
      .execute()
    expect(emailContacts).toEqual([])
  })

  it('the same number calling two tenants is two contacts; concurrent first calls make one', async () => {
    const b = await createTestTenant(t.db, { name: 'Other' })
    const calls = await Promise.all(
      [a, a, a, b].map((x) => startCall(t, { tenant_id: x.tenantId, caller_number: '+15550125' })),
    )
    for (const c of calls) expect(c.statusCode, c.body).toBe(200)
    const [c1, c2, c3, cb] = calls.map((c) => c.json())
    expect(new Set([c1.contact_id, c2.contact_id, c3.contact_id]).size).toBe(1)
    expect(cb.contact_id).not.toBe(c1.contact_id)
  })

  it('the line’s greeting and transfer number come with the call', async () => {
    await t.db
      .insertInto('phone_lines')
      .values({
        tenant_id: a.tenantId,
        enabled: 1,
        greeting: 'Acme support, how can I help?',
        transfer_to: '+15550199',
        updated_at: new Date().toISOString(),
      })
      .execute()
    const call = (await startCall(t, { tenant_id: a.tenantId, caller_number: '+15550126' })).json()
    expect(call).toMatchObject({
      greeting: 'Acme support, how can I help?',
      transfer_to: '+15550199',
    })
  })

  it('needs the internal token; an unknown tenant is 404; bad input is 4xx', async () => {
    const noAuth = await startCall(t, { tenant_id: a.tenantId }, { authorization: 'Bearer nope' })
    expect(noAuth.statusCode).toBe(401)
    const unknown = await startCall(t, { tenant_id: 'tenant_nope', caller_number: '+15550127' })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toEqual({ detail: 'Tenant not found' })
    for (const payload of [
      {},
      { tenant_id: 'x/../y' },
      { tenant_id: a.tenantId, caller_number: 5 },
    ])
      expect((await startCall(t, payload)).statusCode).toBe(422)
    const badChannel = await t.app.inject({
      method: 'POST',
      url: '/internal/v1/conversations/conv_x/messages',
      headers: AUTH,
      payload: {
        tenant_id: a.tenantId,
        sender: 'contact',
        body: 'hi',
        segment_id: 's',
        channel: 'chat',
      },
    })
    expect(badChannel.statusCode).toBe(422)
  })
})
