import { expect, it } from 'vitest'
import { expectApiError, useConversationService } from '../../test/conversation-service.ts'
import { forEachDialect } from '../../test/helpers.ts'
import { createScriptedAgent } from '../../test/widget-support.ts'
import { generateAgentReply, streamAgentReply } from './agent-reply.ts'
import { acceptVisitorMessage } from './visitor-message.ts'

/** The agent's reply: one per message under concurrency, failures that keep the message. */
forEachDialect('agent replies', (dialect) => {
  const f = useConversationService(dialect)

  it('stores exactly one visitor message and one reply for 20 concurrent sends', async () => {
    const before = f.agent.calls.length
    const results = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const a = await acceptVisitorMessage(f.ctx, f.access, {
          body: 'concurrent hello',
          sourceMessageId: 'm-concurrent',
          identity: { senderEmail: 'racer@example.com' },
        })
        const r = await generateAgentReply(f.ctx, f.access, a)
        return { a, r }
      }),
    )
    const conv = results[0]!.a.conversation.id
    expect(new Set(results.map((x) => x.a.userMessage.id)).size).toBe(1)
    expect(new Set(results.map((x) => x.a.conversation.id)).size).toBe(1)
    expect(new Set(results.map((x) => x.r.message.id)).size).toBe(1)
    expect(results.filter((x) => !x.a.deduplicated)).toHaveLength(1)
    const rows = await f.database.db
      .selectFrom('messages')
      .select(['sender_type'])
      .where('tenant_id', '=', f.access.tenant.id)
      .where((eb) =>
        eb.or([
          eb('source_message_id', '=', 'm-concurrent'),
          eb('reply_to_id', '=', results[0]!.a.userMessage.id),
        ]),
      )
      .execute()
    expect(rows.map((r) => r.sender_type).sort()).toEqual(['ai', 'contact'])
    expect(await f.countMessages(conv)).toBe(2)
    const conversations = await f.database.db
      .selectFrom('conversations')
      .select('id')
      .where('tenant_id', '=', f.access.tenant.id)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('messages')
            .select('messages.id')
            .whereRef('messages.conversation_id', '=', 'conversations.id')
            .where('messages.body', '=', 'concurrent hello'),
        ),
      )
      .execute()
    expect(conversations).toHaveLength(1)
    const contacts = await f.database.db
      .selectFrom('contacts')
      .select('id')
      .where('email', '=', 'racer@example.com')
      .execute()
    // A claimed email is kept on the conversation, never made into a contact.
    expect(contacts).toHaveLength(0)
    expect(results[0]!.a.conversation.claimed_email).toBe('racer@example.com')
    // Followers of the same message in this process wait for the one running reply.
    expect(f.agent.calls.length - before).toBe(1)
  })

  it('keeps the visitor message when the agent fails; a retry completes the reply', async () => {
    f.agent.failNext(1, 1)
    const accepted = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'printer jam',
      sourceMessageId: 'm-fail-1',
    })
    const err = await expectApiError(generateAgentReply(f.ctx, f.access, accepted), 503)
    expect(err.code).toBe('agent_unavailable')
    expect(await f.countMessages(accepted.conversation.id, 'contact')).toBe(1)
    expect(await f.countMessages(accepted.conversation.id, 'ai')).toBe(0)

    const retry = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'printer jam',
      sourceMessageId: 'm-fail-1',
    })
    expect(retry.deduplicated).toBe(true)
    expect(retry.existingReply).toBeUndefined()
    const reply = await generateAgentReply(f.ctx, f.access, retry)
    expect(reply.deduplicated).toBe(false)
    expect(reply.message.body).toContain('printer jam')
    expect(await f.countMessages(accepted.conversation.id, 'contact')).toBe(1)
    expect(await f.countMessages(accepted.conversation.id, 'ai')).toBe(1)
  })

  it('tells followers the reply failed, and never leaves a waiter hanging on an abandoned stream', async () => {
    f.agent.failNext(1, 1)
    const failing = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'will fail',
      sourceMessageId: 'm-f2',
    })
    f.events.length = 0
    await expectApiError(generateAgentReply(f.ctx, f.access, failing), 503)
    const frames = f.events.map((e) => (e.type === 'thread.frame' ? e.frame : {}))
    expect(frames.map((f) => f.type)).toEqual(['typing', 'chunk', 'error'])
    expect(frames.at(-1)).toMatchObject({ code: 'agent_unavailable', source_message_id: 'm-f2' })

    const accepted = await acceptVisitorMessage(f.ctx, f.access, { body: 'abandoned stream' })
    const first = streamAgentReply(f.ctx, f.access, accepted)
    expect((await first.next()).value).toBe('Happy to help')
    const waiter = generateAgentReply(f.ctx, f.access, accepted)
    await first.return(undefined as never)
    await expectApiError(waiter, 503)
    const completed = await generateAgentReply(f.ctx, f.access, accepted)
    expect(completed.deduplicated).toBe(false)
    expect(completed.message.body).toContain('abandoned stream')
  })

  it('treats a thrown agent (not only AgentUnavailableError) and an empty reply as unavailable', async () => {
    const broken = {
      ...f.ctx,
      agent: {
        kind: 'broken',
        reply() {
          throw new TypeError('bug')
        },
        async check() {
          return { ok: false, reason: 'x' }
        },
      },
    }
    const a = await acceptVisitorMessage(broken, f.access, { body: 'hi there' })
    const logged: unknown[] = []
    await expectApiError(
      generateAgentReply(broken, f.access, a, { log: { error: (o) => logged.push(o) } }),
      503,
    )
    expect(logged).toHaveLength(1)
    const empty = { ...f.ctx, agent: createScriptedAgent({ chunks: () => ['  '] }) }
    const b = await acceptVisitorMessage(empty, f.access, { body: 'hi again' })
    await expectApiError(generateAgentReply(empty, f.access, b), 503)
    expect(await f.countMessages(b.conversation.id, 'ai')).toBe(0)
  })
})
