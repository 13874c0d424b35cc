import { expect, it } from 'vitest'
import { expectApiError, useConversationService } from '../../test/conversation-service.ts'
import { forEachDialect } from '../../test/helpers.ts'
import { createScriptedAgent } from '../../test/widget-support.ts'
import { findKnowledgeRevision } from '../knowledge/article-repo.ts'
import { insertUpload } from '../uploads/upload-repo.ts'
import { generateAgentReply, streamAgentReply } from './agent-reply.ts'
import { findConversationForTenant } from './conversation-repo.ts'
import { subjectFromText } from './message-input.ts'
import { acceptVisitorMessage } from './visitor-message.ts'

/** Storing a visitor's message exactly once, in the right thread (and its reply). */
forEachDialect('accepting visitor messages', (dialect) => {
  const f = useConversationService(dialect)

  it('stores a first message in a new conversation, then the reply linked to it', async () => {
    const accepted = await acceptVisitorMessage(f.ctx, f.access, {
      body: '  I forgot my password  ',
    })
    expect(accepted.deduplicated).toBe(false)
    expect(accepted.conversation.id).toMatch(/^conv_[0-9A-Za-z]{22}$/)
    expect(accepted.thread.id).toMatch(/^thread_[0-9A-Za-z]{22}$/)
    expect(accepted.contact.id).toMatch(/^contact_[0-9A-Za-z]{22}$/)
    expect(accepted.contact.email).toBeNull()
    expect(accepted.userMessage.id).toMatch(/^msg_/)
    expect(accepted.userMessage.body).toBe('I forgot my password')
    expect(accepted.conversation.subject).toBe('I forgot my password')
    expect(accepted.conversation.status).toBe('open')

    const chunks: string[] = []
    const gen = streamAgentReply(f.ctx, f.access, accepted)
    let step = await gen.next()
    while (!step.done) {
      chunks.push(step.value)
      step = await gen.next()
    }
    const reply = step.value
    expect(chunks).toEqual(['Happy to help', ' with "I forgot my password"', ' (turn 1).'])
    expect(reply.message.body).toBe(chunks.join(''))
    expect(reply.message.reply_to_id).toBe(accepted.userMessage.id)
    expect(reply.message.sender_type).toBe('ai')
    expect(reply.sources).toEqual([{ id: 'kb_1', title: 'Password reset' }])
    // The seq each insert reports is the stored one (SQLite: the last insert rowid).
    const stored = await f.database.db
      .selectFrom('messages')
      .select(['id', 'seq'])
      .where('conversation_id', '=', accepted.conversation.id)
      .orderBy('seq')
      .execute()
    expect(stored.map((m) => [m.id, Number(m.seq)])).toEqual([
      [accepted.userMessage.id, accepted.userMessage.seq],
      [reply.message.id, reply.message.seq],
    ])
    expect(reply.message.seq).toBeGreaterThan(accepted.userMessage.seq)
    expect(f.agent.calls.at(-1)?.history).toEqual([
      expect.objectContaining({ role: 'visitor', text: 'I forgot my password', channel: 'chat' }),
    ])
    const conv = await f.database.db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', accepted.conversation.id)
      .executeTakeFirstOrThrow()
    expect(conv.subject).toBe('Password reset')

    // The inbox's live events (inbox.event) come beside the visitor's frames.
    const frames = f.events.filter((e) => e.type !== 'inbox.event')
    expect(frames.map((e) => (e.type === 'thread.frame' ? e.frame.type : e.type))).toEqual([
      'message',
      'typing',
      'chunk',
      'chunk',
      'chunk',
      'done',
    ])
  })

  it('continues a thread by id or client id, and the agent sees the earlier turns', async () => {
    const first = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'VPN drops',
      sourceThreadId: 'client-thread-1',
    })
    await generateAgentReply(f.ctx, f.access, first)
    expect(first.thread.source_thread_id).toBe('client-thread-1')
    const byClientId = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'still drops',
      sourceThreadId: 'client-thread-1',
    })
    const byThreadId = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'any news?',
      sourceThreadId: first.thread.id,
    })
    expect(byClientId.conversation.id).toBe(first.conversation.id)
    expect(byThreadId.thread.id).toBe(first.thread.id)
    expect(byThreadId.contact.id).toBe(first.contact.id)
    await generateAgentReply(f.ctx, f.access, byThreadId)
    const history = f.agent.calls.at(-1)!.history
    expect(history.map((t) => [t.role, t.text])).toEqual([
      ['visitor', 'VPN drops'],
      ['assistant', 'Happy to help with "VPN drops" (turn 1).'],
      ['visitor', 'still drops'],
      ['visitor', 'any news?'],
    ])
    // Named after the article of the first reply; later messages do not rename it.
    expect(byThreadId.conversation.subject).toBe('Password reset')
  })

  it('names a conversation after its first reply only, also when a later reply did not see it', async () => {
    const first = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'the printer jams',
      sourceThreadId: 'subject-race',
    })
    // Accepted before any reply existed: its f.agent saw no assistant turn.
    const second = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'and it beeps',
      sourceThreadId: 'subject-race',
    })
    expect(second.conversation.id).toBe(first.conversation.id)
    const subject = async () =>
      (await findConversationForTenant(f.database.db, f.access.tenant.id, first.conversation.id))
        ?.subject
    expect(await subject()).toBe('the printer jams')
    await generateAgentReply(f.ctx, f.access, first)
    expect(await subject()).toBe('Password reset')
    const beeping = createScriptedAgent({ sources: [{ id: 'kb_9', title: 'Beeping printers' }] })
    const reply = await generateAgentReply({ ...f.ctx, agent: beeping }, f.access, second)
    expect(reply.sources).toEqual([{ id: 'kb_9', title: 'Beeping printers' }])
    expect(await subject()).toBe('Password reset')
    // The same update on another tenant's conversation of the same id changes nothing.
    expect(
      (await findConversationForTenant(f.database.db, f.other.tenant.id, first.conversation.id))
        ?.subject,
    ).toBeUndefined()
  })

  it('reads nothing for the assistant while a person handles the conversation, and it stays silent', async () => {
    const first = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'my parcel is late',
      sourceThreadId: 'person-handles-it',
    })
    expect(first.agentContext?.history).toHaveLength(1)
    await f.database.db
      .updateTable('conversations')
      .set({ handled_by: 'human' })
      .where('id', '=', first.conversation.id)
      .execute()
    const calls = f.agent.calls.length
    const next = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'any news about it?',
      sourceThreadId: 'person-handles-it',
    })
    expect(next.conversation.id).toBe(first.conversation.id)
    expect(next.conversation.handled_by).toBe('human')
    // Neither the history nor the knowledge revision was read in its transaction.
    expect(next.agentContext).toBeUndefined()
    const reply = await generateAgentReply(f.ctx, f.access, next)
    expect(reply.silent).toBe(true)
    expect(f.agent.calls).toHaveLength(calls)
  })

  it('gives the agent a first message as the whole history, exactly as stored', async () => {
    const accepted = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'my badge does not open the door',
      sourceThreadId: 'client-thread-first',
    })
    expect(accepted.agentContext?.history).toHaveLength(1)
    await generateAgentReply(f.ctx, f.access, accepted)
    const request = f.agent.calls.at(-1)!
    expect(request.conversationId).toBe(accepted.conversation.id)
    // Read with the message, in its transaction, and handed to the f.agent.
    expect(request.knowledgeRevision).toBe(
      await findKnowledgeRevision(f.database.db, f.access.tenant.id),
    )
    expect(request.history).toEqual([
      {
        role: 'visitor',
        text: 'my badge does not open the door',
        channel: 'chat',
        createdAt: accepted.userMessage.created_at,
      },
    ])
    const next = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'still locked out',
      sourceThreadId: 'client-thread-first',
    })
    // A later message's history is read in its transaction: the earlier turns, then itself.
    expect(next.agentContext?.history.map((t) => [t.role, t.text])).toEqual([
      ['visitor', 'my badge does not open the door'],
      ['assistant', expect.any(String)],
      ['visitor', 'still locked out'],
    ])
  })

  it('returns the reply another instance stored first for a message just accepted', async () => {
    const accepted = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'answered elsewhere',
      sourceMessageId: 'm-elsewhere',
    })
    expect(accepted.deduplicated).toBe(false)
    // A retry reached another instance, which answered before this one did.
    const theirs = {
      id: 'msg_answered_elsewhere',
      tenant_id: f.access.tenant.id,
      conversation_id: accepted.conversation.id,
      thread_id: accepted.thread.id,
      sender_type: 'ai',
      body: 'The answer from the other instance.',
      source_message_id: null,
      reply_to_id: accepted.userMessage.id,
      channel: 'chat',
      metadata: null,
      created_at: new Date().toISOString(),
    }
    await f.database.db.insertInto('messages').values(theirs).execute()
    const reply = await generateAgentReply(f.ctx, f.access, accepted)
    expect(reply.deduplicated).toBe(true)
    expect(reply.message).toMatchObject({ id: theirs.id, body: theirs.body })
    expect(await f.countMessages(accepted.conversation.id, 'ai')).toBe(1)
  })

  it("never continues another tenant's thread", async () => {
    const a = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'hello',
      sourceThreadId: 'shared-id',
    })
    const b = await acceptVisitorMessage(f.ctx, f.other, {
      body: 'hello',
      sourceThreadId: 'shared-id',
    })
    const c = await acceptVisitorMessage(f.ctx, f.other, { body: 'x', sourceThreadId: a.thread.id })
    expect(b.conversation.id).not.toBe(a.conversation.id)
    expect(c.conversation.id).not.toBe(a.conversation.id)
    expect(c.conversation.tenant_id).toBe(f.other.tenant.id)
    expect(await f.countMessages(a.conversation.id)).toBe(1)
  })

  it('deduplicates a retried source_message_id and returns the original reply', async () => {
    const first = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'reset please',
      sourceMessageId: 'm-seq-1',
    })
    const reply = await generateAgentReply(f.ctx, f.access, first)
    const again = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'reset please',
      sourceMessageId: 'm-seq-1',
    })
    expect(again.deduplicated).toBe(true)
    expect(again.userMessage.id).toBe(first.userMessage.id)
    expect(again.conversation.id).toBe(first.conversation.id)
    expect(again.existingReply?.id).toBe(reply.message.id)
    const calls = f.agent.calls.length
    const replayed = await generateAgentReply(f.ctx, f.access, again)
    expect(replayed.message.id).toBe(reply.message.id)
    expect(replayed.deduplicated).toBe(true)
    expect(f.agent.calls.length).toBe(calls)
    expect(await f.countMessages(first.conversation.id)).toBe(2)
    // Source ids are per tenant: the f.other tenant may use the same one.
    const elsewhere = await acceptVisitorMessage(f.ctx, f.other, {
      body: 'reset please',
      sourceMessageId: 'm-seq-1',
    })
    expect(elsewhere.deduplicated).toBe(false)
  })

  it('refuses a reused source_message_id with a different body (409)', async () => {
    await acceptVisitorMessage(f.ctx, f.access, { body: 'one', sourceMessageId: 'm-reuse' })
    await expectApiError(
      acceptVisitorMessage(f.ctx, f.access, { body: 'two', sourceMessageId: 'm-reuse' }),
      409,
    )
  })

  it('rejects blank bodies and oversized metadata with 422 naming the field', async () => {
    const blank = await expectApiError(acceptVisitorMessage(f.ctx, f.access, { body: ' \n ' }), 422)
    expect(blank.detail).toEqual([expect.objectContaining({ loc: ['body', 'body'] })])
    const big = await expectApiError(
      acceptVisitorMessage(f.ctx, f.access, { body: 'x', metadata: { blob: 'y'.repeat(5000) } }),
      422,
    )
    expect(big.detail).toEqual([expect.objectContaining({ loc: ['body', 'metadata'] })])
  })

  it("attaches this tenant's unattached uploads, and rolls back on any bad one", async () => {
    const mk = async (tenantId: string) => {
      const id = `upl_${Math.random().toString(36).slice(2)}`
      await insertUpload(f.database.db, {
        id,
        tenant_id: tenantId,
        file_name: 'a.txt',
        content_type: 'text/plain',
        size_bytes: 2,
        sha256: '00',
        data: Buffer.from('hi'),
        message_id: null,
        created_at: new Date().toISOString(),
      })
      return id
    }
    const mine = await mk(f.access.tenant.id)
    const theirs = await mk(f.other.tenant.id)
    const err = await expectApiError(
      acceptVisitorMessage(f.ctx, f.access, {
        body: 'see file',
        sourceMessageId: 'm-up-1',
        uploadIds: [mine, theirs],
      }),
      422,
    )
    expect(err.detail).toEqual([expect.objectContaining({ loc: ['body', 'upload_ids', 1] })])
    const stored = await f.database.db
      .selectFrom('messages')
      .select('id')
      .where('source_message_id', '=', 'm-up-1')
      .execute()
    expect(stored).toHaveLength(0)
    const ok = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'see file',
      sourceMessageId: 'm-up-1',
      uploadIds: [mine],
    })
    const row = await f.database.db
      .selectFrom('uploads')
      .select('message_id')
      .where('id', '=', mine)
      .executeTakeFirstOrThrow()
    expect(row.message_id).toBe(ok.userMessage.id)
    // Already attached: a second message cannot take it.
    await expectApiError(
      acceptVisitorMessage(f.ctx, f.access, { body: 'again', uploadIds: [mine] }),
      422,
    )
  })

  it('gives a conversation whose contact was deleted a new anonymous contact', async () => {
    const first = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'hello from a deleted contact',
      sourceThreadId: 'client-thread-orphan',
    })
    await f.database.db.deleteFrom('contacts').where('id', '=', first.contact.id).execute()
    const next = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'am I still here?',
      sourceThreadId: 'client-thread-orphan',
    })
    expect(next.conversation.id).toBe(first.conversation.id)
    expect(next.contact.id).not.toBe(first.contact.id)
    expect(next.contact.email).toBeNull()
    expect(
      (await findConversationForTenant(f.database.db, f.access.tenant.id, first.conversation.id))
        ?.contact_id,
    ).toBe(next.contact.id)
  })

  it('cuts long subjects at a word boundary', () => {
    expect(subjectFromText('a  b\n c')).toBe('a b c')
    const s = subjectFromText(`${'word '.repeat(40)}end`)
    expect(s.length).toBeLessThanOrEqual(80)
    expect(s.endsWith('word…')).toBe(true)
  })
})
