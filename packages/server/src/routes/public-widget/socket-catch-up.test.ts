import { afterAll, beforeAll, expect, it } from 'vitest'
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
  widgetSessionToken,
} from '../../../test/widget-support.ts'
import { type Frame, listenForTests, openSocket, type TestSocket } from '../../../test/ws-client.ts'
import { createAdminSession } from '../../admin-users/session-repo.ts'
import { insertMessage } from '../../conversations/message-repo.ts'
import { newId, nowIso } from '../../ids.ts'
import { CATCH_UP_LIMIT } from './socket/catch-up.ts'

forEachDialect('WS catch-up after a reconnect (after_message_id)', (dialect) => {
  let t: TestApp
  let a: TestTenant
  let owner: string
  let base: string
  const sockets: TestSocket[] = []
  let ip = 0

  beforeAll(async () => {
    t = await buildTestApp({
      dialect,
      env: { AURION_TRUST_PROXY: '127.0.0.1' },
      deps: { agent: createScriptedAgent() },
    })
    a = await createTestTenant(t.db, { consoleUser: true })
    owner = (await createAdminSession(t.db, { userId: a.consoleUser!.id, tenantId: a.tenantId }))
      .token
    base = `${await listenForTests(t.app)}/api/v1/widget/ws`
  })
  afterAll(async () => {
    for (const s of sockets) s.ws.terminate()
    await t.close()
  })

  const connect = (query: Record<string, string | undefined>) => {
    const q = new URLSearchParams({ tenant_id: a.tenantId, public_key: a.publicKey })
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, v)
    const s = openSocket(`${base}?${q}`, { origin: ORIGIN, 'x-forwarded-for': `192.0.2.${++ip}` })
    sockets.push(s)
    return s
  }
  const sessionToken = (email: string) => widgetSessionToken(t.app, a, email)
  const agentPosts = async (conversationId: string, payload: object) => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/conversations/${conversationId}/messages`,
      headers: { authorization: `Bearer ${owner}` },
      payload,
    })
    expect(res.statusCode).toBe(201)
    return res.json() as { id: string; thread_id: string }
  }
  /** A visitor's first exchange on a socket: the conversation, its thread and the reply's id. */
  const startConversation = async (thread: string, token?: string) => {
    const s = connect({ source_thread_id: thread, email_token: token })
    await s.opened
    s.send({ body: 'My invoice is wrong' })
    const frames = await s.until('done')
    const done = frames.at(-1) as Frame
    s.close()
    await s.closed
    return {
      conversationId: String(done.conversation_id),
      threadId: String(done.thread_id),
      aiMessageId: String(done.ai_message_id),
    }
  }
  /** Frames a socket receives before it answers its first frame (the catch-up, if any). */
  const beforeReady = async (s: TestSocket): Promise<Frame[]> => {
    await s.opened
    s.send({})
    const out: Frame[] = []
    for (;;) {
      const f = await s.next()
      if (f.type === 'error' && f.code === 'validation_error') return out
      out.push(f)
    }
  }

  it("sends what the visitor missed — people's replies, never notes — then the conversation's state", async () => {
    const token = await sessionToken('mia@example.com')
    const conv = await startConversation('catch-up-thread-1', token)
    const reply = await agentPosts(conv.conversationId, { body: 'Hi Mia, Ada here. Checking.' })
    await agentPosts(conv.conversationId, { body: 'Refund is approved, tell her', private: true })
    const second = await agentPosts(conv.conversationId, { body: 'Your refund is on its way.' })
    // The visitor answered from another tab; the message this one sent but got no ack for
    // carries the client's id, so it is not shown twice.
    const rest = await postWidget(t.app, '/api/v1/widget/messages', {
      tenant_id: a.tenantId,
      public_key: a.publicKey,
      email_token: token,
      source_thread_id: 'catch-up-thread-1',
      source_message_id: 'tab-2-msg-1',
      body: 'Thank you!',
    })
    expect(rest.json()).toMatchObject({ ai_response: '', handled_by: 'human' })

    const s = connect({
      source_thread_id: 'catch-up-thread-1',
      email_token: token,
      after_message_id: conv.aiMessageId,
    })
    const frames = await beforeReady(s)
    expect(frames).toEqual([
      {
        type: 'message',
        conversation_id: conv.conversationId,
        thread_id: conv.threadId,
        message: {
          id: reply.id,
          sender_type: 'agent',
          body: 'Hi Mia, Ada here. Checking.',
          channel: 'chat',
          created_at: expect.stringMatching(/Z$/),
          attachments: [],
          author_name: 'Ada Lovelace',
        },
      },
      expect.objectContaining({
        type: 'message',
        message: expect.objectContaining({ id: second.id, body: 'Your refund is on its way.' }),
      }),
      expect.objectContaining({
        type: 'message',
        message: expect.objectContaining({
          id: rest.json().user_message_id,
          sender_type: 'contact',
          body: 'Thank you!',
          source_message_id: 'tab-2-msg-1',
        }),
      }),
      {
        type: 'conversation',
        conversation_id: conv.conversationId,
        thread_id: conv.threadId,
        status: 'open',
        handled_by: 'human',
        assignee: { name: 'Ada Lovelace' },
      },
    ])
    expect(JSON.stringify(frames)).not.toContain('Refund is approved')

    // Up to date: only the state.
    const again = connect({
      source_thread_id: 'catch-up-thread-1',
      email_token: token,
      after_message_id: rest.json().user_message_id,
    })
    expect((await beforeReady(again)).map((f) => f.type)).toEqual(['conversation'])
  })

  it("never reaches another visitor's conversation, through its thread or its message ids", async () => {
    const mia = await sessionToken('mia.two@example.com')
    const conv = await startConversation('catch-up-thread-2', mia)
    await agentPosts(conv.conversationId, { body: 'Private matter for Mia only' })

    // Another visitor names Mia's (claimed) thread: not followed, nothing caught up.
    const eve = await sessionToken('eve@example.com')
    const intruder = connect({
      source_thread_id: 'catch-up-thread-2',
      email_token: eve,
      after_message_id: conv.aiMessageId,
    })
    expect(await beforeReady(intruder)).toEqual([])

    // In a thread of their own, Mia's message id is no anchor: only their own state comes.
    const own = await startConversation('catch-up-thread-eve', eve)
    const s = connect({
      source_thread_id: 'catch-up-thread-eve',
      email_token: eve,
      after_message_id: conv.aiMessageId,
    })
    expect(await beforeReady(s)).toEqual([
      {
        type: 'conversation',
        conversation_id: own.conversationId,
        thread_id: own.threadId,
        status: 'open',
        handled_by: 'ai',
        assignee: null,
      },
    ])
  })

  it('a private note is no anchor, and an unknown id catches up nothing', async () => {
    const conv = await startConversation('catch-up-thread-3')
    const note = await agentPosts(conv.conversationId, { body: 'Note', private: true })
    for (const after of [note.id, 'msg_doesnotexist']) {
      const s = connect({ source_thread_id: 'catch-up-thread-3', after_message_id: after })
      expect((await beforeReady(s)).map((f) => f.type)).toEqual(['conversation'])
    }
  })

  it(`sends at most ${CATCH_UP_LIMIT} messages, oldest first`, async () => {
    const conv = await startConversation('catch-up-thread-4')
    for (let i = 0; i < CATCH_UP_LIMIT + 5; i++) {
      await insertMessage(t.db, {
        id: newId('msg'),
        tenant_id: a.tenantId,
        conversation_id: conv.conversationId,
        thread_id: conv.threadId,
        sender_type: 'ai',
        body: `Line ${i}`,
        source_message_id: null,
        reply_to_id: null,
        channel: 'voice',
        metadata: null,
        created_at: nowIso(),
      })
    }
    const s = connect({ source_thread_id: 'catch-up-thread-4', after_message_id: conv.aiMessageId })
    const frames = await beforeReady(s)
    expect(frames).toHaveLength(CATCH_UP_LIMIT + 1)
    const bodies = frames.map((f) => (f.message as { body?: string } | undefined)?.body)
    expect(bodies[0]).toBe('Line 0')
    expect(bodies[CATCH_UP_LIMIT - 1]).toBe(`Line ${CATCH_UP_LIMIT - 1}`)
    expect(frames.at(-1)?.type).toBe('conversation')
  })

  it('closes with 1008 on a malformed after_message_id', async () => {
    for (const bad of ['x'.repeat(101), 'msg_1 OR 1=1', '']) {
      const s = connect({ source_thread_id: 'catch-up-thread-5', after_message_id: bad })
      expect(await s.closed).toEqual({
        code: 1008,
        reason: 'after_message_id is not a valid message id',
      })
    }
  })
})
