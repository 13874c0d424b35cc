import { afterEach, beforeEach, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { createScriptedAgent, ORIGIN, widgetSessionToken } from '../../../test/widget-support.ts'

forEachDialect('POST /api/v1/widget/conversations/:id/delete', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let ip = 0

  beforeEach(async () => {
    t = await buildTestApp({ dialect, deps: { agent: createScriptedAgent() } })
    a = await createTestTenant(t.db)
  })
  afterEach(async () => {
    await t.close()
  })

  const widget = (path: string, body: Record<string, unknown>, publicKey = a.publicKey) =>
    t.app.inject({
      method: 'POST',
      url: path,
      remoteAddress: `10.2.0.${ip++ % 200}`,
      headers: { origin: ORIGIN },
      payload: { tenant_id: a.tenantId, public_key: publicKey, ...body },
    })
  const send = async (body: Record<string, unknown>) => {
    const res = await widget('/api/v1/widget/messages', body)
    expect(res.statusCode, res.body).toBe(200)
    return res.json() as { conversation_id: string; thread_id: string }
  }
  const token = (email: string) => widgetSessionToken(t.app, a, email)
  const del = (conversationId: string, body: Record<string, unknown>, publicKey?: string) =>
    widget(`/api/v1/widget/conversations/${conversationId}/delete`, body, publicKey)
  const rows = async (conversationId: string) => ({
    conversations: (
      await t.db.selectFrom('conversations').select('id').where('id', '=', conversationId).execute()
    ).length,
    messages: (
      await t.db
        .selectFrom('messages')
        .select('id')
        .where('conversation_id', '=', conversationId)
        .execute()
    ).length,
  })

  it("deletes the token holder's conversation with its messages; their history no longer lists it", async () => {
    const jane = await token('jane@example.com')
    const kept = await send({ body: 'Keep this one', email_token: jane })
    const c = await send({ body: 'My card is 4111 1111 1111 1111', email_token: jane })
    await send({ body: 'and more', email_token: jane, source_thread_id: c.thread_id })
    expect((await rows(c.conversation_id)).messages).toBe(4)

    const res = await del(c.conversation_id, { email_token: jane })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({
      tenant_id: a.tenantId,
      conversation_id: c.conversation_id,
      deleted: true,
      messages: 4,
    })
    expect(await rows(c.conversation_id)).toEqual({ conversations: 0, messages: 0 })
    const history = await t.app.inject({
      url: `/api/v1/widget/history?${new URLSearchParams({ tenant_id: a.tenantId, public_key: a.publicKey, email_token: jane })}`,
      headers: { origin: ORIGIN },
    })
    expect(
      history.json().conversations.map((x: { conversation_id: string }) => x.conversation_id),
    ).toEqual([kept.conversation_id])
    // Gone: a second delete is a 404.
    expect((await del(c.conversation_id, { email_token: jane })).statusCode).toBe(404)
  })

  it("refuses another visitor's conversation, a bare id and a wrong key, and changes nothing", async () => {
    const jane = await token('jane@example.com')
    const bob = await token('bob@example.com')
    const c = await send({ body: 'Private', email_token: jane })
    const bobTry = await del(c.conversation_id, { email_token: bob })
    expect(bobTry.statusCode).toBe(404)
    expect(bobTry.json()).toEqual({ detail: 'Conversation not found' })
    // Knowing a thread of a claimed conversation proves nothing.
    expect(
      (await del(c.conversation_id, { email_token: bob, source_thread_id: c.thread_id }))
        .statusCode,
    ).toBe(404)
    expect((await del(c.conversation_id, {})).statusCode).toBe(404)
    expect((await del(c.conversation_id, { email_token: jane }, 'vwk_wrong')).statusCode).toBe(403)
    expect((await del(c.conversation_id, { email_token: 'not-a-token' })).statusCode).toBe(401)
    expect((await del('conv_unknown', { email_token: jane })).statusCode).toBe(404)
    expect(await rows(c.conversation_id)).toEqual({ conversations: 1, messages: 2 })
  })

  it('an anonymous conversation is deleted by the holder of its thread, and only with it', async () => {
    const c = await send({ body: 'Hello without an email' })
    const other = await send({ body: 'Someone else, also anonymous' })
    expect((await del(c.conversation_id, {})).statusCode).toBe(404)
    expect((await del(c.conversation_id, { source_thread_id: other.thread_id })).statusCode).toBe(
      404,
    )
    const res = await del(c.conversation_id, { source_thread_id: c.thread_id })
    expect(res.statusCode).toBe(200)
    expect(await rows(c.conversation_id)).toEqual({ conversations: 0, messages: 0 })
    expect(await rows(other.conversation_id)).toEqual({ conversations: 1, messages: 2 })
  })

  it('refuses another origin', async () => {
    const jane = await token('jane@example.com')
    const c = await send({ body: 'Hi', email_token: jane })
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/widget/conversations/${c.conversation_id}/delete`,
      headers: { origin: 'https://evil.test' },
      payload: { tenant_id: a.tenantId, public_key: a.publicKey, email_token: jane },
    })
    expect(res.statusCode).toBe(403)
    expect(await rows(c.conversation_id)).toEqual({ conversations: 1, messages: 2 })
  })
})
