import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../test/helpers.ts'
import { createScriptedAgent, postWidget } from '../../test/widget-support.ts'
import { createAdminSession } from '../admin-users/session-repo.ts'
import { createAdminUser } from '../admin-users/user-repo.ts'

/**
 * The hand-off's webhook events are written to the outbox with the change that makes them:
 * `conversation.handoff_requested`, `conversation.assigned` and `conversation.resolved`.
 */
forEachDialect('hand-off webhook events', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let owner: string
  let samId: string
  let n = 0
  let ada = ''
  let sam = ''

  beforeAll(async () => {
    t = await buildTestApp({
      dialect,
      env: { AURION_WEBHOOK_ALLOW_PRIVATE: 'true' },
      deps: { agent: createScriptedAgent() },
    })
  })
  afterAll(async () => {
    await t.close()
  })
  // A tenant of its own per test: its own webhook subscriptions and outbox.
  beforeEach(async () => {
    n++
    ada = `ada${n}@acme.test`
    sam = `sam${n}@acme.test`
    a = await createTestTenant(t.db, { consoleUser: { email: ada } })
    owner = (await createAdminSession(t.db, { userId: a.consoleUser!.id, tenantId: a.tenantId }))
      .token
    samId = (
      await createAdminUser(t.db, {
        tenantId: a.tenantId,
        email: sam,
        name: 'Sam',
        password: 'another long passphrase',
        role: 'agent',
      })
    ).id
  })

  const subscribe = async (events: string[]) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: { 'x-api-key': a.apiKey },
      payload: { url: 'http://127.0.0.1:9/hooks', events },
    })
    expect(res.statusCode, res.body).toBe(201)
  }
  /** The tenant's outbox events of these types, oldest first, as their receivers get them. */
  const outbox = async (types: string[]) => {
    const rows = await t.db
      .selectFrom('webhook_events')
      .select(['type', 'payload'])
      .where('tenant_id', '=', a.tenantId)
      .where('type', 'in', types)
      .orderBy('id')
      .execute()
    return rows.map((r) => JSON.parse(r.payload) as { type: string; data: Record<string, any> })
  }
  const visitorSays = async (body: string, extra: object = {}) => {
    const res = await postWidget(t.app, '/api/v1/widget/messages', {
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      body,
      ...extra,
    })
    expect(res.statusCode, res.body).toBe(200)
    return res.json() as { conversation_id: string; thread_id: string }
  }
  const patch = (id: string, payload: object) =>
    t.app.inject({
      method: 'PATCH',
      url: `/api/v1/conversations/${id}`,
      headers: { authorization: `Bearer ${owner}` },
      payload,
    })
  const HANDOFF_EVENTS = [
    'conversation.handoff_requested',
    'conversation.assigned',
    'conversation.resolved',
  ]

  it('a visitor asks for a person, an agent replies, is reassigned, resolves: one event each', async () => {
    await subscribe(HANDOFF_EVENTS)
    const conv = await visitorSays('Can I talk to a human please?')
    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/conversations/${conv.conversation_id}/messages`,
      headers: { authorization: `Bearer ${owner}` },
      payload: { body: 'Ada here, how can I help?' },
    })
    expect(reply.statusCode).toBe(201)
    expect((await patch(conv.conversation_id, { assignee_email: sam })).statusCode).toBe(200)
    // The same assignee again, or nobody: no assignment event.
    await patch(conv.conversation_id, { assignee_email: sam })
    await patch(conv.conversation_id, { assignee_email: null })
    await patch(conv.conversation_id, { status: 'resolved' })

    const events = await outbox(HANDOFF_EVENTS)
    expect(events.map((e) => e.type)).toEqual([
      'conversation.handoff_requested',
      'conversation.assigned',
      'conversation.assigned',
      'conversation.resolved',
    ])
    const [requested, mine, sams, resolved] = events
    expect(requested!.data).toEqual({
      conversation: expect.objectContaining({
        id: conv.conversation_id,
        status: 'open',
        handled_by: 'human',
      }),
      reason: 'visitor_request',
    })
    expect(mine!.data.assignee).toEqual({
      id: a.consoleUser!.id,
      name: 'Ada Lovelace',
      email: ada,
    })
    expect(sams!.data.assignee).toEqual({ id: samId, name: 'Sam', email: sam })
    expect(resolved!.data.conversation).toMatchObject({
      id: conv.conversation_id,
      status: 'resolved',
    })
  })

  it("an agent's takeover from the inbox: handoff_requested (agent_takeover) and assigned", async () => {
    await subscribe(HANDOFF_EVENTS)
    const conv = await visitorSays('How do I export my invoices?')
    expect(await outbox(HANDOFF_EVENTS)).toEqual([])
    const res = await patch(conv.conversation_id, {
      handled_by: 'human',
      assignee_email: ada,
    })
    expect(res.statusCode).toBe(200)
    const events = await outbox(HANDOFF_EVENTS)
    // Written in one transaction, in the same millisecond: ids do not order them.
    const written = events.map((e) => [e.type, e.data.reason ?? e.data.assignee?.email])
    expect(written.sort()).toEqual([
      ['conversation.assigned', ada],
      ['conversation.handoff_requested', 'agent_takeover'],
    ])
  })

  it('only subscribed events are written, and a refused change writes none', async () => {
    await subscribe(['conversation.assigned'])
    const conv = await visitorSays('I want to speak to a person')
    expect(await outbox(HANDOFF_EVENTS)).toEqual([])
    const bad = await patch(conv.conversation_id, { assignee_email: 'nobody@acme.test' })
    expect(bad.statusCode).toBe(422)
    expect(await outbox(HANDOFF_EVENTS)).toEqual([])
    await patch(conv.conversation_id, { assignee_email: sam })
    expect((await outbox(HANDOFF_EVENTS)).map((e) => e.type)).toEqual(['conversation.assigned'])
  })

  it("a person's reply writes message.created once, also when retried with its source_message_id; a note none", async () => {
    await subscribe(['message.created'])
    const conv = await visitorSays('I want to speak to a person')
    const send = (payload: object) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/conversations/${conv.conversation_id}/messages`,
        headers: { 'x-api-key': a.apiKey },
        payload,
      })
    const reply = { body: 'Dana here, looking into it.', source_message_id: 'desk-reply-1' }
    const first = await send(reply)
    expect(first.statusCode, first.body).toBe(201)
    // The caller lost the answer and sends it again: the stored message, nothing new.
    const again = await send(reply)
    expect(again.statusCode, again.body).toBe(201)
    expect(again.json().id).toBe(first.json().id)
    const reused = await send({ body: 'Something else', source_message_id: 'desk-reply-1' })
    expect(reused.statusCode, reused.body).toBe(409)
    const note = await send({ body: 'Check the refund policy', private: true })
    expect(note.statusCode, note.body).toBe(201)

    const stored = await t.db
      .selectFrom('messages')
      .select('id')
      .where('tenant_id', '=', a.tenantId)
      .where('sender_type', '=', 'agent')
      .execute()
    expect(stored).toHaveLength(2)
    const events = (await outbox(['message.created'])).map((e) => e.data.message)
    expect(events.filter((m) => m.sender_type === 'agent')).toEqual([
      expect.objectContaining({
        id: first.json().id,
        conversation_id: conv.conversation_id,
        sender_type: 'agent',
        body: 'Dana here, looking into it.',
        source_message_id: 'desk-reply-1',
      }),
    ])
  })
})
