import { afterEach, beforeEach, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import {
  createScriptedAgent,
  ORIGIN,
  postWidget,
  type ScriptedAgent,
} from '../../../test/widget-support.ts'
import { createAdminSession } from '../../admin-users/session-repo.ts'
import { createAdminUser } from '../../admin-users/user-repo.ts'
import { createApiKey } from '../../auth/api-key-repo.ts'

forEachDialect('conversation actions API', (dialect) => {
  let t: TestApp
  let agent: ScriptedAgent
  let a: TestTenant
  let b: TestTenant
  let owner: string
  let agentSession: string
  let readOnlyKey: string

  beforeEach(async () => {
    agent = createScriptedAgent({ sources: [{ id: 'kb_1', title: 'Help article' }] })
    t = await buildTestApp({ dialect, deps: { agent } })
    a = await createTestTenant(t.db, { name: 'A', consoleUser: true })
    b = await createTestTenant(t.db, { name: 'B' })
    owner = (await createAdminSession(t.db, { userId: a.consoleUser!.id, tenantId: a.tenantId }))
      .token
    const sam = await createAdminUser(t.db, {
      tenantId: a.tenantId,
      email: 'sam@acme.test',
      name: 'Sam',
      password: 'another long passphrase',
      role: 'agent',
    })
    agentSession = (await createAdminSession(t.db, { userId: sam.id, tenantId: a.tenantId })).token
    readOnlyKey = (
      await createApiKey(t.db, { tenantId: a.tenantId, scopes: ['conversations:read'] })
    ).key
  })
  afterEach(async () => {
    await t.close()
  })

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
  const visitorSays = async (tenant: TestTenant, body: string, extra: object = {}) => {
    const res = await postWidget(t.app, '/api/v1/widget/messages', {
      tenant_id: tenant.tenantId,
      public_key: tenant.publicKey,
      body,
      ...extra,
    })
    expect(res.statusCode).toBe(200)
    return res.json() as {
      conversation_id: string
      thread_id: string
      ai_response: string
      ai_message_id: string
      handled_by?: string
    }
  }
  const post = (id: string, payload: object, headers: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/conversations/${id}/messages`,
      payload,
      headers,
    })
  const patch = (id: string, payload: object, headers: Record<string, string>) =>
    t.app.inject({ method: 'PATCH', url: `/api/v1/conversations/${id}`, payload, headers })

  it("a person's reply: 201 in the contract's shape, takes the conversation over and assigns it to its author", async () => {
    const conv = await visitorSays(a, 'My printer is on fire')
    const res = await post(conv.conversation_id, { body: ' Hi, Ada here. ' }, bearer(owner))
    expect(res.statusCode).toBe(201)
    expect(res.json()).toEqual({
      id: expect.stringMatching(/^msg_/),
      conversation_id: conv.conversation_id,
      thread_id: conv.thread_id,
      sender_type: 'agent',
      body: 'Hi, Ada here.',
      private: false,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      author: { name: 'Ada Lovelace', email: 'ada@acme.test' },
    })
    const detail = (
      await t.app.inject({
        url: `/api/v1/conversations/${conv.conversation_id}`,
        headers: bearer(owner),
      })
    ).json()
    expect(detail).toMatchObject({
      handled_by: 'human',
      status: 'open',
      assignee: { email: 'ada@acme.test', name: 'Ada Lovelace' },
      handoff_reason: 'agent_takeover',
    })
    expect(detail.first_human_reply_seconds).toBeGreaterThanOrEqual(0)
    expect(detail.messages.at(-1)).toMatchObject({
      sender_type: 'agent',
      private: false,
      author: { email: 'ada@acme.test' },
    })
  })

  it('while a person handles the conversation the assistant stays silent; given back, it answers again', async () => {
    const conv = await visitorSays(a, 'Hello there, my VPN is broken')
    const callsBefore = agent.calls.length
    expect(
      (await patch(conv.conversation_id, { handled_by: 'human' }, bearer(owner))).json(),
    ).toMatchObject({ handled_by: 'human', handoff_reason: 'agent_takeover' })
    const silent = await visitorSays(a, 'Are you there?', { source_thread_id: conv.thread_id })
    expect(silent).toMatchObject({ ai_response: '', ai_message_id: '', handled_by: 'human' })
    expect(agent.calls.length).toBe(callsBefore)
    const back = await patch(conv.conversation_id, { handled_by: 'ai' }, bearer(owner))
    expect(back.json()).toMatchObject({ handled_by: 'ai' })
    const answered = await visitorSays(a, 'Still broken', { source_thread_id: conv.thread_id })
    expect(answered.ai_response).toContain('Still broken')
    expect(answered.handled_by).toBeUndefined()
    expect(agent.calls.length).toBe(callsBefore + 1)
  })

  it('a private note never reaches the visitor: not in /widget/history, not shown to the assistant', async () => {
    const session = await postWidget(t.app, '/api/v1/widget/session', {
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      email: 'jane@example.com',
    })
    const token = session.json().email_token as string
    const conv = await visitorSays(a, 'Where is my invoice?', { email_token: token })
    const note = await post(
      conv.conversation_id,
      { body: 'SECRET: customer owes us money', private: true },
      bearer(owner),
    )
    expect(note.statusCode).toBe(201)
    expect(note.json()).toMatchObject({ private: true, sender_type: 'agent' })
    await post(conv.conversation_id, { body: 'Your invoice is on the way' }, bearer(owner))
    const history = await t.app.inject({
      url: `/api/v1/widget/history?tenant_id=${a.tenantId}&public_key=${a.publicKey}&email_token=${encodeURIComponent(token)}`,
      headers: { origin: ORIGIN },
    })
    expect(history.statusCode).toBe(200)
    expect(history.body).not.toContain('SECRET')
    const messages = history.json().conversations[0].messages
    expect(messages.at(-1)).toMatchObject({
      sender_type: 'agent',
      body: 'Your invoice is on the way',
    })
    // Given back to the assistant, it does not read the note either.
    await patch(conv.conversation_id, { handled_by: 'ai' }, bearer(owner))
    await visitorSays(a, 'Thanks, and the receipt?', {
      email_token: token,
      source_thread_id: conv.thread_id,
    })
    expect(JSON.stringify(agent.calls.at(-1)?.history)).not.toContain('SECRET')
    // The console sees it, marked private.
    const detail = (
      await t.app.inject({
        url: `/api/v1/conversations/${conv.conversation_id}`,
        headers: bearer(owner),
      })
    ).json()
    expect(
      detail.messages.find((m: { body: string }) => m.body.startsWith('SECRET')),
    ).toMatchObject({
      private: true,
    })
  })

  it("another tenant's conversation is a 404 for every action", async () => {
    const theirs = await visitorSays(b, 'Tenant B question')
    const id = theirs.conversation_id
    const headers = bearer(owner)
    for (const res of [
      await post(id, { body: 'hi' }, headers),
      await patch(id, { status: 'resolved' }, headers),
      await t.app.inject({ method: 'POST', url: `/api/v1/conversations/${id}/typing`, headers }),
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/conversations/${id}/suggest-reply`,
        headers,
      }),
    ]) {
      expect(res.statusCode).toBe(404)
      expect(res.json()).toEqual({ detail: 'Conversation not found' })
    }
    const own = await t.app.inject({
      url: `/api/v1/conversations/${id}`,
      headers: { 'x-api-key': b.apiKey },
    })
    expect(own.json().handled_by).toBe('ai')
  })

  it('scopes: a conversations:read key cannot write; an agent-role session can', async () => {
    const conv = await visitorSays(a, 'Need help')
    const key = { 'x-api-key': readOnlyKey }
    for (const res of [
      await post(conv.conversation_id, { body: 'hi' }, key),
      await patch(conv.conversation_id, { status: 'resolved' }, key),
    ]) {
      expect(res.statusCode).toBe(403)
      expect(res.json()).toEqual({ detail: 'API key missing required scope: conversations:write' })
    }
    expect((await t.app.inject({ url: '/api/v1/conversations', headers: key })).statusCode).toBe(
      200,
    )
    const reply = await post(conv.conversation_id, { body: 'Sam here' }, bearer(agentSession))
    expect(reply.statusCode).toBe(201)
    expect(reply.json().author).toEqual({ name: 'Sam', email: 'sam@acme.test' })
    // An agent still cannot change the widget's configuration.
    const config = await t.app.inject({
      url: '/api/v1/voice-widget/config',
      headers: bearer(agentSession),
    })
    expect(config.statusCode).toBe(403)
  })

  it('PATCH: assign by email, to the queue, resolve and reopen; unknown or foreign emails are 422', async () => {
    const conv = await visitorSays(a, 'Question one')
    const other = await visitorSays(a, 'Question two')
    const assigned = await patch(
      conv.conversation_id,
      { assignee_email: 'SAM@acme.test' },
      bearer(owner),
    )
    expect(assigned.statusCode).toBe(200)
    expect(assigned.json()).toMatchObject({
      id: conv.conversation_id,
      status: 'open',
      handled_by: 'ai',
      assignee: { email: 'sam@acme.test', name: 'Sam' },
    })
    const list = async (q: string, token = owner) =>
      (await t.app.inject({ url: `/api/v1/conversations?${q}`, headers: bearer(token) }))
        .json()
        .items.map((c: { id: string }) => c.id)
    expect(await list('assignee=sam%40acme.test')).toEqual([conv.conversation_id])
    expect(await list('assignee=me', agentSession)).toEqual([conv.conversation_id])
    expect(await list('assignee=me')).toEqual([])
    expect(await list('assignee=none')).toEqual([other.conversation_id])
    expect(await list('assignee=nobody%40elsewhere.test')).toEqual([])
    expect(await list('handled_by=human')).toEqual([])
    const meByKey = await t.app.inject({
      url: '/api/v1/conversations?assignee=me',
      headers: { 'x-api-key': a.apiKey },
    })
    expect(meByKey.statusCode).toBe(422)

    for (const email of ['nobody@acme.test', 'ada@acme.test'.replace('acme', 'b')]) {
      const bad = await patch(conv.conversation_id, { assignee_email: email }, bearer(owner))
      expect(bad.statusCode).toBe(422)
      expect(bad.json().detail[0].loc).toEqual(['body', 'assignee_email'])
    }
    const bad = await patch(conv.conversation_id, { status: 'closed' }, bearer(owner))
    expect(bad.statusCode).toBe(422)

    expect(
      (
        await patch(
          conv.conversation_id,
          { status: 'resolved', assignee_email: null },
          bearer(owner),
        )
      ).json(),
    ).toMatchObject({ status: 'resolved', assignee: null })
    expect(
      (await patch(conv.conversation_id, { status: 'open' }, bearer(owner))).json().status,
    ).toBe('open')
  })

  it('typing is 204; a reply draft comes from the assistant and stores nothing', async () => {
    const conv = await visitorSays(a, 'How do I reset my password?')
    const typing = await t.app.inject({
      method: 'POST',
      url: `/api/v1/conversations/${conv.conversation_id}/typing`,
      headers: bearer(agentSession),
    })
    expect(typing.statusCode).toBe(204)
    const before = (
      await t.app.inject({
        url: `/api/v1/conversations/${conv.conversation_id}`,
        headers: bearer(owner),
      })
    ).json().message_count
    const draft = await t.app.inject({
      method: 'POST',
      url: `/api/v1/conversations/${conv.conversation_id}/suggest-reply`,
      headers: bearer(owner),
    })
    expect(draft.statusCode).toBe(200)
    expect(draft.json()).toEqual({
      body: expect.stringContaining('reset my password'),
      sources: [{ id: 'kb_1', title: 'Help article' }],
    })
    const after = (
      await t.app.inject({
        url: `/api/v1/conversations/${conv.conversation_id}`,
        headers: bearer(owner),
      })
    ).json().message_count
    expect(after).toBe(before)
    agent.failNext()
    const down = await t.app.inject({
      method: 'POST',
      url: `/api/v1/conversations/${conv.conversation_id}/suggest-reply`,
      headers: bearer(owner),
    })
    expect(down.statusCode).toBe(503)
  })

  it('bad bodies are 422: blank, too long, unknown upload', async () => {
    const conv = await visitorSays(a, 'Hi, my laptop is broken')
    for (const payload of [
      { body: '   ' },
      { body: 'x'.repeat(4001) },
      {},
      { body: 'x', upload_ids: ['upl_nope'] },
    ]) {
      const res = await post(conv.conversation_id, payload, bearer(owner))
      expect(res.statusCode).toBe(422)
    }
  })
})
