import { FEEDBACK_COMMENT_MAX_LENGTH } from '@aurion/contract'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { createScriptedAgent, ORIGIN, widgetClient } from '../../../test/widget-support.ts'

const NO_THREAD = { detail: 'Thread not found' }
const NO_MESSAGE = { detail: 'Message not found' }

/**
 * `POST /api/v1/widget/feedback` and `/widget/csat` through HTTP, as the widget and as an
 * attacker holding nothing but the public key, an allowed Origin and someone else's ids.
 */
forEachDialect('widget feedback and CSAT', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let b: TestTenant
  const { nextIp, post, chat } = widgetClient(() => ({ t, a }), '10.9')

  beforeAll(async () => {
    t = await buildTestApp({
      dialect,
      deps: { agent: createScriptedAgent({ sources: [{ id: 'kb_1', title: 'Shipping' }] }) },
    })
    a = await createTestTenant(t.db)
    b = await createTestTenant(t.db, { name: 'Beta' })
  })
  afterAll(async () => t.close())

  const vote = (payload: Record<string, unknown>, tenant = a) =>
    post('/api/v1/widget/feedback', payload, tenant)
  const csat = (payload: Record<string, unknown>, tenant = a) =>
    post('/api/v1/widget/csat', payload, tenant)
  const storedVote = (messageId: string) =>
    t.db
      .selectFrom('message_feedback')
      .selectAll()
      .where('message_id', '=', messageId)
      .executeTakeFirst()

  it('a vote on an answer of my thread: 200, stored; a second vote replaces the first', async () => {
    const m = await chat('Do you ship to Canada?')
    const up = await vote({ thread_id: m.thread_id, message_id: m.ai_message_id, rating: 'up' })
    expect(up.statusCode, up.body).toBe(200)
    expect(up.json()).toEqual({ message_id: m.ai_message_id, rating: 'up' })

    const down = await vote({
      thread_id: m.thread_id,
      message_id: m.ai_message_id,
      rating: 'down',
      comment: '  Not what I asked.  ',
    })
    expect(down.json()).toEqual({ message_id: m.ai_message_id, rating: 'down' })
    const rows = await t.db
      .selectFrom('message_feedback')
      .selectAll()
      .where('conversation_id', '=', m.conversation_id)
      .execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ rating: 'down', comment: 'Not what I asked.' })
  })

  it('the client-chosen thread id works as the thread reference', async () => {
    const m = await chat('Where is my parcel?', { source_thread_id: 'client-thread-fb-1' })
    const res = await vote({
      thread_id: 'client-thread-fb-1',
      message_id: m.ai_message_id,
      rating: 'up',
    })
    expect(res.statusCode, res.body).toBe(200)
  })

  it("a foreign thread's answer cannot be voted on: 404, nothing stored", async () => {
    const token = (await post('/api/v1/widget/session', { email: 'victim@example.com' })).json()
      .email_token as string
    const victim = await chat('My order is late', { email_token: token })
    // Without the victim's token, the thread id alone does not reach a claimed conversation.
    const res = await vote({
      thread_id: victim.thread_id,
      message_id: victim.ai_message_id,
      rating: 'down',
    })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual(NO_THREAD)
    // With my own token: still not mine.
    const mine = (await post('/api/v1/widget/session', { email: 'attacker@example.com' })).json()
      .email_token as string
    const again = await vote({
      thread_id: victim.thread_id,
      message_id: victim.ai_message_id,
      rating: 'down',
      email_token: mine,
    })
    expect(again.statusCode).toBe(404)
    expect(await storedVote(victim.ai_message_id)).toBeUndefined()
    // The owner can.
    const owner = await vote({
      thread_id: victim.thread_id,
      message_id: victim.ai_message_id,
      rating: 'up',
      email_token: token,
    })
    expect(owner.statusCode, owner.body).toBe(200)
  })

  it('a message of another conversation, named with my own thread: 404', async () => {
    const mine = await chat('How do returns work?')
    const other = await chat('What does shipping cost?')
    const res = await vote({
      thread_id: mine.thread_id,
      message_id: other.ai_message_id,
      rating: 'down',
    })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual(NO_MESSAGE)
    expect(await storedVote(other.ai_message_id)).toBeUndefined()
  })

  it("another tenant's thread and message: 404 with my tenant's key", async () => {
    const theirs = await chat('Hello from Beta', {}, b)
    const res = await vote({
      thread_id: theirs.thread_id,
      message_id: theirs.ai_message_id,
      rating: 'down',
    })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual(NO_THREAD)
  })

  it("the visitor's own message is not an answer: 422", async () => {
    const m = await chat('Can I pay by invoice?')
    const res = await vote({ thread_id: m.thread_id, message_id: m.user_message_id, rating: 'up' })
    expect(res.statusCode).toBe(422)
    expect(res.json().detail[0]).toMatchObject({ loc: ['body', 'message_id'] })
    expect(await storedVote(m.user_message_id)).toBeUndefined()
  })

  it('unknown ids: 404', async () => {
    const m = await chat('Is there a warranty?')
    expect(
      (await vote({ thread_id: 'thread_nope', message_id: m.ai_message_id, rating: 'up' })).json(),
    ).toEqual(NO_THREAD)
    expect(
      (await vote({ thread_id: m.thread_id, message_id: 'msg_nope', rating: 'up' })).json(),
    ).toEqual(NO_MESSAGE)
  })

  describe('bad input: 422, never 500', () => {
    it.each([
      ['rating not up/down', { rating: 'meh' }],
      ['rating missing', { rating: undefined }],
      ['message_id missing', { message_id: undefined }],
      ['comment too long', { comment: 'x'.repeat(FEEDBACK_COMMENT_MAX_LENGTH + 1) }],
      ['comment not a string', { comment: 42 }],
      ['thread_id empty', { thread_id: '' }],
    ])('%s', async (_name, patch) => {
      const m = await chat('Do you have a store in Paris?')
      const res = await vote({
        thread_id: m.thread_id,
        message_id: m.ai_message_id,
        rating: 'up',
        ...patch,
      })
      expect(res.statusCode, res.body).toBe(422)
      expect(Array.isArray(res.json().detail)).toBe(true)
      expect(await storedVote(m.ai_message_id)).toBeUndefined()
    })
  })

  it('the widget guard holds: wrong key 403, disallowed Origin 403', async () => {
    const m = await chat('Any discounts?')
    const wrongKey = await t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/feedback',
      headers: { origin: ORIGIN },
      remoteAddress: nextIp(),
      payload: {
        tenant_id: a.tenantId,
        public_key: 'vwk_wrong',
        thread_id: m.thread_id,
        message_id: m.ai_message_id,
        rating: 'up',
      },
    })
    expect(wrongKey.statusCode).toBe(403)
    const badOrigin = await t.app.inject({
      method: 'POST',
      url: '/api/v1/widget/feedback',
      headers: { origin: 'https://evil.test' },
      remoteAddress: nextIp(),
      payload: {
        tenant_id: a.tenantId,
        public_key: a.publicKey,
        thread_id: m.thread_id,
        message_id: m.ai_message_id,
        rating: 'up',
      },
    })
    expect(badOrigin.statusCode).toBe(403)
  })

  it('feedback.created is written with the vote for a subscribed endpoint', async () => {
    const hook = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: { 'x-api-key': a.apiKey },
      payload: { url: 'https://hooks.example.com/aurion', events: ['feedback.created'] },
    })
    expect(hook.statusCode, hook.body).toBe(201)
    const m = await chat('Do you sell gift cards?')
    await vote({
      thread_id: m.thread_id,
      message_id: m.ai_message_id,
      rating: 'down',
      comment: 'No',
    })
    const events = await t.db
      .selectFrom('webhook_events')
      .select('payload')
      .where('tenant_id', '=', a.tenantId)
      .where('type', '=', 'feedback.created')
      .execute()
    const payloads = events.map((e) => JSON.parse(e.payload))
    expect(payloads).toContainEqual(
      expect.objectContaining({
        type: 'feedback.created',
        data: {
          feedback: expect.objectContaining({
            message_id: m.ai_message_id,
            conversation_id: m.conversation_id,
            thread_id: m.thread_id,
            rating: 'down',
            comment: 'No',
          }),
        },
      }),
    )
  })

  describe('CSAT', () => {
    it('1–5 for the conversation of my thread; a second answer replaces the first', async () => {
      const m = await chat('Thanks, all good?')
      const first = await csat({ thread_id: m.thread_id, score: 2 })
      expect(first.statusCode, first.body).toBe(200)
      expect(first.json()).toEqual({ conversation_id: m.conversation_id, score: 2 })
      await csat({ thread_id: m.thread_id, score: 5, comment: 'Great' })
      const rows = await t.db
        .selectFrom('conversation_csat')
        .selectAll()
        .where('conversation_id', '=', m.conversation_id)
        .execute()
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ score: 5, comment: 'Great' })
    })

    it('a foreign thread: 404, nothing stored', async () => {
      const token = (await post('/api/v1/widget/session', { email: 'owner@example.com' })).json()
        .email_token as string
      const victim = await chat('Private question', { email_token: token })
      const res = await csat({ thread_id: victim.thread_id, score: 1 })
      expect(res.statusCode).toBe(404)
      expect(res.json()).toEqual(NO_THREAD)
      const row = await t.db
        .selectFrom('conversation_csat')
        .select('score')
        .where('conversation_id', '=', victim.conversation_id)
        .executeTakeFirst()
      expect(row).toBeUndefined()
    })

    it.each([0, 6, 3.5, '4', null])('score %s: 422', async (score) => {
      const m = await chat('Rate me')
      const res = await csat({ thread_id: m.thread_id, score })
      expect(res.statusCode, res.body).toBe(422)
    })

    it('comment too long: 422', async () => {
      const m = await chat('Rate me with words')
      const res = await csat({
        thread_id: m.thread_id,
        score: 4,
        comment: 'y'.repeat(FEEDBACK_COMMENT_MAX_LENGTH + 1),
      })
      expect(res.statusCode).toBe(422)
    })
  })
})
