import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  type TestApp,
  type TestTenant,
} from '../../test/helpers.ts'
import { createScriptedAgent, postWidget } from '../../test/widget-support.ts'

/**
 * The reply that tells a visitor a person is coming is stored in one transaction with the
 * hand-off and its `conversation.handoff_requested` event. It used to be two: a process killed
 * between them (the crash run's SIGKILLs found it) kept a "connecting you" reply in a conversation
 * the assistant still handled, and a retry returned that stored reply without handing off. Here
 * the hand-off's write fails (a trigger) where the process used to die.
 */
let t: TestApp
let a: TestTenant

beforeAll(async () => {
  t = await buildTestApp({
    dialect: 'sqlite',
    env: { AURION_WEBHOOK_ALLOW_PRIVATE: 'true' },
    deps: { agent: createScriptedAgent() },
  })
  a = await createTestTenant(t.db)
  const hook = await t.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks',
    headers: { 'x-api-key': a.apiKey },
    payload: { url: 'http://127.0.0.1:9/hooks', events: ['conversation.handoff_requested'] },
  })
  expect(hook.statusCode, hook.body).toBe(201)
})
afterAll(async () => {
  await t.close()
})

it('a hand-off that cannot be stored leaves no reply; the retry hands off once', async () => {
  const ask = () =>
    postWidget(t.app, '/api/v1/widget/messages', {
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      body: 'Talk to a person',
      source_thread_id: 'atomic-thread',
      source_message_id: 'atomic-1',
      metadata: { action: 'talk_to_person' },
    })
  await sql`create trigger no_handoff before update of handled_by on conversations
    begin select raise(abort, 'hand-off write failed'); end`.execute(t.db)
  const failed = await ask()
  expect(failed.statusCode).toBeGreaterThanOrEqual(500)
  const replies = () =>
    t.db
      .selectFrom('messages')
      .select(['id', 'metadata'])
      .where('tenant_id', '=', a.tenantId)
      .where('sender_type', '=', 'ai')
      .execute()
  // Nothing of the reply without its hand-off (the visitor's message itself stays stored).
  expect(await replies()).toEqual([])

  await sql`drop trigger no_handoff`.execute(t.db)
  const retried = await ask()
  expect(retried.statusCode, retried.body).toBe(200)
  expect(retried.json()).toMatchObject({ deduplicated: true, handled_by: 'human' })
  expect(await replies()).toHaveLength(1)
  const conversation = await t.db
    .selectFrom('conversations')
    .select(['handled_by', 'handoff_reason'])
    .where('id', '=', retried.json().conversation_id)
    .executeTakeFirstOrThrow()
  expect(conversation).toEqual({ handled_by: 'human', handoff_reason: 'quick_action' })
  const events = await t.db
    .selectFrom('webhook_events')
    .select('type')
    .where('tenant_id', '=', a.tenantId)
    .execute()
  expect(events).toEqual([{ type: 'conversation.handoff_requested' }])
})
