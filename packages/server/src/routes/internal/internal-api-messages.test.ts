import { beforeEach, describe, expect, it } from 'vitest'
import { forEachDialect, type TestApp, type TestTenant } from '../../../test/helpers.ts'
import type { Dialect } from '../../db/schema.ts'
import type { BusEvent } from '../../realtime/bus.ts'
import {
  AUTH,
  countMessages,
  frameTypes,
  ndjson,
  newConversation,
  useInternalApi,
} from './internal-api-test-support.ts'

forEachDialect('internal API: transcripts and replies', (dialect: Dialect) => {
  const f = useInternalApi(dialect)
  let t: TestApp
  let tenant: TestTenant
  let events: BusEvent[]
  beforeEach(() => {
    ;({ t, tenant, events } = f)
  })

  describe('POST /internal/v1/conversations/:id/messages', () => {
    const post = (conversationId: string, payload: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: `/internal/v1/conversations/${conversationId}/messages`,
        headers: AUTH,
        payload,
      })

    it('stores a transcript once per segment: a repeat returns the original ids', async () => {
      const { conversationId, threadId } = await newConversation(t, tenant)
      const payload = {
        tenant_id: tenant.tenantId,
        sender: 'contact',
        body: '  My VPN keeps dropping  ',
        segment_id: 'SG_abc.1',
      }
      const first = await post(conversationId, payload)
      expect(first.statusCode).toBe(200)
      expect(first.json()).toMatchObject({
        conversation_id: conversationId,
        thread_id: threadId,
        sender_type: 'contact',
        deduplicated: false,
      })
      const again = await post(conversationId, payload)
      expect(again.json()).toEqual({ ...first.json(), deduplicated: true })
      const row = await t.db
        .selectFrom('messages')
        .selectAll()
        .where('id', '=', first.json().message_id)
        .executeTakeFirstOrThrow()
      expect(row).toMatchObject({
        body: 'My VPN keeps dropping',
        channel: 'voice',
        sender_type: 'contact',
      })
      expect(await countMessages(t, conversationId)).toBe(1)
      // The frame reached the chat panels following the thread, once.
      expect(frameTypes(events, threadId)).toEqual(['message'])
    })

    it('20 concurrent writes of one segment store exactly one message', async () => {
      const { conversationId } = await newConversation(t, tenant)
      const payload = {
        tenant_id: tenant.tenantId,
        sender: 'ai',
        body: 'Hello!',
        segment_id: 'greeting-job1',
      }
      const all = await Promise.all(Array.from({ length: 20 }, () => post(conversationId, payload)))
      expect(all.map((r) => r.statusCode)).toEqual(Array(20).fill(200))
      expect(new Set(all.map((r) => r.json().message_id)).size).toBe(1)
      expect(all.filter((r) => !r.json().deduplicated)).toHaveLength(1)
      expect(await countMessages(t, conversationId)).toBe(1)
    })

    it('the same segment id in another conversation is another message', async () => {
      const a = await newConversation(t, tenant)
      const b = await newConversation(t, tenant)
      const payload = {
        tenant_id: tenant.tenantId,
        sender: 'contact',
        body: 'hello',
        segment_id: 'seg1',
      }
      const ra = await post(a.conversationId, payload)
      const rb = await post(b.conversationId, payload)
      expect(rb.json().deduplicated).toBe(false)
      expect(rb.json().message_id).not.toBe(ra.json().message_id)
      expect(rb.json().conversation_id).toBe(b.conversationId)
    })

    it('409 when a segment id is reused for different words', async () => {
      const { conversationId } = await newConversation(t, tenant)
      await post(conversationId, {
        tenant_id: tenant.tenantId,
        sender: 'contact',
        body: 'one',
        segment_id: 's',
      })
      const res = await post(conversationId, {
        tenant_id: tenant.tenantId,
        sender: 'contact',
        body: 'two',
        segment_id: 's',
      })
      expect(res.statusCode).toBe(409)
      expect(res.json()).toEqual({ detail: expect.any(String) })
      expect(await countMessages(t, conversationId)).toBe(1)
    })

    it.each([
      ['sender', { sender: 'agent' }],
      ['body', { body: '' }],
      ['body', { body: '   ' }],
      ['body', { body: 'x'.repeat(4001) }],
      ['segment_id', { segment_id: 'has space' }],
      ['segment_id', { segment_id: 'x'.repeat(129) }],
      ['metadata', { metadata: { blob: 'x'.repeat(5000) } }],
      ['tenant_id', { tenant_id: undefined }],
      ['thread_id', { thread_id: 'a/b' }],
    ])('422 naming %s', async (field, patch) => {
      const { conversationId } = await newConversation(t, tenant)
      const res = await post(conversationId, {
        tenant_id: tenant.tenantId,
        sender: 'contact',
        body: 'hello',
        segment_id: 'ok',
        ...patch,
      })
      expect(res.statusCode).toBe(422)
      const locs = res.json().detail.map((d: { loc: (string | number)[] }) => d.loc.join('.'))
      expect(locs.some((l: string) => l.startsWith(`body.${field}`))).toBe(true)
      expect(await countMessages(t, conversationId)).toBe(0)
    })
  })

  describe('POST /internal/v1/conversations/:id/reply', () => {
    const ask = (conversationId: string, segment: string, text: string, extra = {}) =>
      t.app.inject({
        method: 'POST',
        url: `/internal/v1/conversations/${conversationId}/reply`,
        headers: AUTH,
        payload: { tenant_id: tenant.tenantId, segment_id: segment, text, ...extra },
      })

    it('stores the transcript, streams the knowledge-base answer and stores it', async () => {
      const { conversationId, threadId } = await newConversation(t, tenant)
      const res = await ask(conversationId, 'u1', 'How do I reset my password?')
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8')
      expect(res.headers['cache-control']).toBe('no-store')
      const lines = ndjson(res.payload)
      expect(lines[0]).toMatchObject({
        type: 'ack',
        conversation_id: conversationId,
        thread_id: threadId,
        deduplicated: false,
      })
      const chunks = lines.filter((l) => l.type === 'chunk')
      expect(chunks.length).toBeGreaterThan(0)
      expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i))
      const done = lines.at(-1)!
      expect(done.type).toBe('done')
      expect(done.ai_response).toBe(chunks.map((c) => c.chunk).join(''))
      expect(done.ai_response).toMatch(/password/i)
      expect(done.sources).toEqual([{ id: expect.any(String), title: 'Reset your password' }])
      // The agent was told this turn was spoken (it answers in a voice style).
      expect(f.agentCalls.at(-1)!.history.at(-1)).toMatchObject({
        role: 'visitor',
        channel: 'voice',
        text: 'How do I reset my password?',
      })
      const rows = await t.db
        .selectFrom('messages')
        .select(['id', 'sender_type', 'channel', 'reply_to_id', 'body'])
        .where('conversation_id', '=', conversationId)
        .orderBy('seq')
        .execute()
      expect(rows).toEqual([
        expect.objectContaining({
          id: lines[0]!.user_message_id,
          sender_type: 'contact',
          channel: 'voice',
        }),
        expect.objectContaining({
          id: done.ai_message_id,
          sender_type: 'ai',
          channel: 'voice',
          reply_to_id: lines[0]!.user_message_id,
          body: done.ai_response,
        }),
      ])
      // An open chat panel on the thread saw the spoken turn live: message, typing, chunks, done.
      const types = frameTypes(events, threadId)
      expect(types[0]).toBe('message')
      expect(types[1]).toBe('typing')
      expect(types.at(-1)).toBe('done')
      expect(types.filter((x) => x === 'chunk')).toHaveLength(chunks.length)
    })

    it('a retried segment returns the stored answer without running the agent again', async () => {
      const { conversationId } = await newConversation(t, tenant)
      const first = ndjson(
        (await ask(conversationId, 'u1', 'How do I connect to the VPN?')).payload,
      )
      const calls = f.agentCalls.length
      const again = ndjson(
        (await ask(conversationId, 'u1', 'How do I connect to the VPN?')).payload,
      )
      expect(f.agentCalls.length).toBe(calls)
      expect(again[0]).toMatchObject({
        type: 'ack',
        user_message_id: first[0]!.user_message_id,
        deduplicated: true,
      })
      expect(again.at(-1)).toMatchObject({
        type: 'done',
        ai_message_id: first.at(-1)!.ai_message_id,
        ai_response: first.at(-1)!.ai_response,
        deduplicated: true,
      })
      expect(await countMessages(t, conversationId)).toBe(2)
    })

    it('agent failure: the transcript stays stored, a retry answers it without a second copy', async () => {
      const { conversationId } = await newConversation(t, tenant)
      f.failNext = 1
      const failed = ndjson((await ask(conversationId, 'u1', 'My printer does not print')).payload)
      expect(failed[0]).toMatchObject({ type: 'ack', deduplicated: false })
      expect(failed.at(-1)).toEqual({
        type: 'error',
        code: 'agent_unavailable',
        message: expect.any(String),
      })
      expect(await countMessages(t, conversationId)).toBe(1)
      const retry = ndjson((await ask(conversationId, 'u1', 'My printer does not print')).payload)
      expect(retry[0]).toMatchObject({
        type: 'ack',
        user_message_id: failed[0]!.user_message_id,
        deduplicated: true,
      })
      expect(retry.at(-1)).toMatchObject({ type: 'done', deduplicated: false })
      expect(String(retry.at(-1)!.ai_response)).toMatch(/print/i)
      expect(await countMessages(t, conversationId)).toBe(2)
    })

    it('answers a follow-up with what was said before in the conversation', async () => {
      const { conversationId } = await newConversation(t, tenant)
      ndjson((await ask(conversationId, 'u1', 'How do I reset my password?')).payload)
      const followUp = ndjson((await ask(conversationId, 'u2', 'And on a Mac?')).payload)
      const done = followUp.at(-1)!
      expect(done.type).toBe('done')
      expect(String(done.ai_response)).toMatch(/keychain/i)
      expect(f.agentCalls.at(-1)!.history.map((h) => h.role)).toEqual([
        'visitor',
        'assistant',
        'visitor',
      ])
    })

    it('422 before anything is stored for a blank or missing transcript', async () => {
      const { conversationId } = await newConversation(t, tenant)
      for (const text of ['', '   \n ']) {
        const res = await ask(conversationId, 'u1', text)
        expect(res.statusCode).toBe(422)
      }
      const noSegment = await t.app.inject({
        method: 'POST',
        url: `/internal/v1/conversations/${conversationId}/reply`,
        headers: AUTH,
        payload: { tenant_id: tenant.tenantId, text: 'hi' },
      })
      expect(noSegment.statusCode).toBe(422)
      expect(noSegment.json().detail[0].loc).toEqual(['body', 'segment_id'])
      expect(await countMessages(t, conversationId)).toBe(0)
    })
  })
})
