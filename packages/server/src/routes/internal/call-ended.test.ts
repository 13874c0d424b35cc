import { resolveWidgetConfig } from '@aurion/contract'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { openThread } from '../../conversations/locate-thread.ts'

const TOKEN = 'internal-token-0123456789abcdef0123456789abcdef'
const AUTH = { authorization: `Bearer ${TOKEN}` }

forEachDialect('internal API: a call ended', (dialect) => {
  let t: TestApp
  let acme: TestTenant
  let other: TestTenant
  let conversationId: string
  let threadId: string
  beforeAll(async () => {
    t = await buildTestApp({
      dialect,
      env: { AURION_INTERNAL_TOKEN: TOKEN, AURION_WEBHOOK_ALLOW_PRIVATE: 'true' },
    })
    acme = await createTestTenant(t.db)
    other = await createTestTenant(t.db)
    const access = {
      tenant: acme.tenant,
      config: resolveWidgetConfig(JSON.parse(acme.tenant.config)),
    }
    const opened = await openThread(
      { db: t.db } as never,
      access,
      { subject: 'Voice call' },
      {
        trusted: true,
      },
    )
    conversationId = opened.conversation.id
    threadId = opened.thread.id
    const hook = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: { 'x-api-key': acme.apiKey },
      payload: { url: 'http://127.0.0.1:9/hook', events: ['voice.call.ended'] },
    })
    expect(hook.statusCode).toBe(201)
  })
  afterAll(async () => {
    await t.close()
  })

  const end = (conversation: string, body: Record<string, unknown>, headers = AUTH) =>
    t.app.inject({
      method: 'POST',
      url: `/internal/v1/conversations/${conversation}/call-ended`,
      headers,
      payload: body,
    })
  const events = (tenantId: string) =>
    t.db
      .selectFrom('webhook_events')
      .select(['type', 'payload'])
      .where('tenant_id', '=', tenantId)
      .where('type', '=', 'voice.call.ended')
      .execute()

  it('writes voice.call.ended to the outbox (204)', async () => {
    const res = await end(conversationId, {
      tenant_id: acme.tenantId,
      thread_id: threadId,
      room: 'aurion-room-1',
      duration_seconds: 184,
    })
    expect(res.statusCode).toBe(204)
    const [e] = await events(acme.tenantId)
    expect(JSON.parse(e!.payload)).toMatchObject({
      type: 'voice.call.ended',
      data: {
        conversation_id: conversationId,
        thread_id: threadId,
        room: 'aurion-room-1',
        channel: 'voice',
        duration_seconds: 184,
      },
    })
  })

  it("another tenant's conversation or thread, bad input and no token are refused, nothing written", async () => {
    const before = (await events(acme.tenantId)).length
    expect(
      (await end(conversationId, { tenant_id: other.tenantId, duration_seconds: 1 })).statusCode,
    ).toBe(404)
    expect(
      (
        await end(conversationId, {
          tenant_id: acme.tenantId,
          thread_id: 'thread_nope',
          duration_seconds: 1,
        })
      ).statusCode,
    ).toBe(404)
    expect(
      (await end(conversationId, { tenant_id: acme.tenantId, duration_seconds: -1 })).statusCode,
    ).toBe(422)
    expect(
      (await end(conversationId, { tenant_id: acme.tenantId, duration_seconds: 1 }, {} as never))
        .statusCode,
    ).toBe(401)
    expect(await events(acme.tenantId)).toHaveLength(before)
    expect(await events(other.tenantId)).toHaveLength(0)
  })
})
