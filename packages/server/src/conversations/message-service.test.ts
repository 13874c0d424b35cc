import { resolveWidgetConfig } from '@aurion/contract'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, createTestTenant, forEachDialect } from '../../test/helpers.ts'
import { createScriptedAgent, type ScriptedAgent } from '../../test/widget-support.ts'
import type { DbHandle } from '../db/connect.ts'
import { ApiError } from '../errors.ts'
import { findKnowledgeRevision } from '../knowledge/article-repo.ts'
import type { BusEvent, RealtimeBus } from '../realtime/bus.ts'
import { createMemoryBus } from '../realtime/memory-bus.ts'
import { insertUpload } from '../uploads/upload-repo.ts'
import { findConversationForTenant } from './conversation-repo.ts'
import {
  acceptVisitorMessage,
  generateAgentReply,
  openThread,
  recordAssistantMessage,
  resolveConversationAsVisitor,
  streamAgentReply,
  subjectFromText,
} from './message-service.ts'
import type { TenantAccess } from './types.ts'
import { listVisitorHistory } from './visitor-history.ts'

async function expectApiError(p: Promise<unknown>, status: number): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ApiError)
  expect((err as ApiError).status).toBe(status)
  return err as ApiError
}

forEachDialect('message service', (dialect) => {
  let database: DbHandle
  let agent: ScriptedAgent
  let bus: RealtimeBus
  let ctx: { db: DbHandle['db']; bus: RealtimeBus; agent: ScriptedAgent }
  let access: TenantAccess
  let other: TenantAccess
  const events: BusEvent[] = []

  beforeAll(async () => {
    database = await createTestDatabase(dialect)
    agent = createScriptedAgent({ sources: [{ id: 'kb_1', title: 'Password reset' }] })
    bus = createMemoryBus()
    bus.subscribe((e) => events.push(e))
    ctx = { db: database.db, bus, agent }
    const a = await createTestTenant(database.db)
    const b = await createTestTenant(database.db, { name: 'Other' })
    access = { tenant: a.tenant, config: resolveWidgetConfig(JSON.parse(a.tenant.config)) }
    other = { tenant: b.tenant, config: resolveWidgetConfig(JSON.parse(b.tenant.config)) }
  })
  afterAll(async () => {
    await bus.close()
    await database.close()
  })
  beforeEach(() => {
    events.length = 0
  })

  const countMessages = async (conversationId: string, sender?: string) => {
    let q = database.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('conversation_id', '=', conversationId)
    if (sender) q = q.where('sender_type', '=', sender)
    return Number((await q.executeTakeFirstOrThrow()).n)
  }

  it('stores a first message in a new conversation, then the reply linked to it', async () => {
    const accepted = await acceptVisitorMessage(ctx, access, { body: '  I forgot my password  ' })
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
    const gen = streamAgentReply(ctx, access, accepted)
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
    const stored = await database.db
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
    expect(agent.calls.at(-1)?.history).toEqual([
      expect.objectContaining({ role: 'visitor', text: 'I forgot my password', channel: 'chat' }),
    ])
    const conv = await database.db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', accepted.conversation.id)
      .executeTakeFirstOrThrow()
    expect(conv.subject).toBe('Password reset')

    expect(events.map((e) => (e.type === 'thread.frame' ? e.frame.type : e.type))).toEqual([
      'message',
      'typing',
      'chunk',
      'chunk',
      'chunk',
      'done',
    ])
  })

  it('continues a thread by id or client id, and the agent sees the earlier turns', async () => {
    const first = await acceptVisitorMessage(ctx, access, {
      body: 'VPN drops',
      sourceThreadId: 'client-thread-1',
    })
    await generateAgentReply(ctx, access, first)
    expect(first.thread.source_thread_id).toBe('client-thread-1')
    const byClientId = await acceptVisitorMessage(ctx, access, {
      body: 'still drops',
      sourceThreadId: 'client-thread-1',
    })
    const byThreadId = await acceptVisitorMessage(ctx, access, {
      body: 'any news?',
      sourceThreadId: first.thread.id,
    })
    expect(byClientId.conversation.id).toBe(first.conversation.id)
    expect(byThreadId.thread.id).toBe(first.thread.id)
    expect(byThreadId.contact.id).toBe(first.contact.id)
    await generateAgentReply(ctx, access, byThreadId)
    const history = agent.calls.at(-1)!.history
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
    const first = await acceptVisitorMessage(ctx, access, {
      body: 'the printer jams',
      sourceThreadId: 'subject-race',
    })
    // Accepted before any reply existed: its agent saw no assistant turn.
    const second = await acceptVisitorMessage(ctx, access, {
      body: 'and it beeps',
      sourceThreadId: 'subject-race',
    })
    expect(second.conversation.id).toBe(first.conversation.id)
    const subject = async () =>
      (await findConversationForTenant(database.db, access.tenant.id, first.conversation.id))
        ?.subject
    expect(await subject()).toBe('the printer jams')
    await generateAgentReply(ctx, access, first)
    expect(await subject()).toBe('Password reset')
    const beeping = createScriptedAgent({ sources: [{ id: 'kb_9', title: 'Beeping printers' }] })
    const reply = await generateAgentReply({ ...ctx, agent: beeping }, access, second)
    expect(reply.sources).toEqual([{ id: 'kb_9', title: 'Beeping printers' }])
    expect(await subject()).toBe('Password reset')
    // The same update on another tenant's conversation of the same id changes nothing.
    expect(
      (await findConversationForTenant(database.db, other.tenant.id, first.conversation.id))
        ?.subject,
    ).toBeUndefined()
  })

  it('gives the agent a first message as the whole history, exactly as stored', async () => {
    const accepted = await acceptVisitorMessage(ctx, access, {
      body: 'my badge does not open the door',
      sourceThreadId: 'client-thread-first',
    })
    expect(accepted.agentContext?.history).toHaveLength(1)
    await generateAgentReply(ctx, access, accepted)
    const request = agent.calls.at(-1)!
    expect(request.conversationId).toBe(accepted.conversation.id)
    // Read with the message, in its transaction, and handed to the agent.
    expect(request.knowledgeRevision).toBe(
      await findKnowledgeRevision(database.db, access.tenant.id),
    )
    expect(request.history).toEqual([
      {
        role: 'visitor',
        text: 'my badge does not open the door',
        channel: 'chat',
        createdAt: accepted.userMessage.created_at,
      },
    ])
    const next = await acceptVisitorMessage(ctx, access, {
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
    const accepted = await acceptVisitorMessage(ctx, access, {
      body: 'answered elsewhere',
      sourceMessageId: 'm-elsewhere',
    })
    expect(accepted.deduplicated).toBe(false)
    // A retry reached another instance, which answered before this one did.
    const theirs = {
      id: 'msg_answered_elsewhere',
      tenant_id: access.tenant.id,
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
    await database.db.insertInto('messages').values(theirs).execute()
    const reply = await generateAgentReply(ctx, access, accepted)
    expect(reply.deduplicated).toBe(true)
    expect(reply.message).toMatchObject({ id: theirs.id, body: theirs.body })
    expect(await countMessages(accepted.conversation.id, 'ai')).toBe(1)
  })

  it("never continues another tenant's thread", async () => {
    const a = await acceptVisitorMessage(ctx, access, {
      body: 'hello',
      sourceThreadId: 'shared-id',
    })
    const b = await acceptVisitorMessage(ctx, other, { body: 'hello', sourceThreadId: 'shared-id' })
    const c = await acceptVisitorMessage(ctx, other, { body: 'x', sourceThreadId: a.thread.id })
    expect(b.conversation.id).not.toBe(a.conversation.id)
    expect(c.conversation.id).not.toBe(a.conversation.id)
    expect(c.conversation.tenant_id).toBe(other.tenant.id)
    expect(await countMessages(a.conversation.id)).toBe(1)
  })

  it('deduplicates a retried source_message_id and returns the original reply', async () => {
    const first = await acceptVisitorMessage(ctx, access, {
      body: 'reset please',
      sourceMessageId: 'm-seq-1',
    })
    const reply = await generateAgentReply(ctx, access, first)
    const again = await acceptVisitorMessage(ctx, access, {
      body: 'reset please',
      sourceMessageId: 'm-seq-1',
    })
    expect(again.deduplicated).toBe(true)
    expect(again.userMessage.id).toBe(first.userMessage.id)
    expect(again.conversation.id).toBe(first.conversation.id)
    expect(again.existingReply?.id).toBe(reply.message.id)
    const calls = agent.calls.length
    const replayed = await generateAgentReply(ctx, access, again)
    expect(replayed.message.id).toBe(reply.message.id)
    expect(replayed.deduplicated).toBe(true)
    expect(agent.calls.length).toBe(calls)
    expect(await countMessages(first.conversation.id)).toBe(2)
    // Source ids are per tenant: the other tenant may use the same one.
    const elsewhere = await acceptVisitorMessage(ctx, other, {
      body: 'reset please',
      sourceMessageId: 'm-seq-1',
    })
    expect(elsewhere.deduplicated).toBe(false)
  })

  it('refuses a reused source_message_id with a different body (409)', async () => {
    await acceptVisitorMessage(ctx, access, { body: 'one', sourceMessageId: 'm-reuse' })
    await expectApiError(
      acceptVisitorMessage(ctx, access, { body: 'two', sourceMessageId: 'm-reuse' }),
      409,
    )
  })

  it('stores exactly one visitor message and one reply for 20 concurrent sends', async () => {
    const before = agent.calls.length
    const results = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const a = await acceptVisitorMessage(ctx, access, {
          body: 'concurrent hello',
          sourceMessageId: 'm-concurrent',
          identity: { senderEmail: 'racer@example.com' },
        })
        const r = await generateAgentReply(ctx, access, a)
        return { a, r }
      }),
    )
    const conv = results[0]!.a.conversation.id
    expect(new Set(results.map((x) => x.a.userMessage.id)).size).toBe(1)
    expect(new Set(results.map((x) => x.a.conversation.id)).size).toBe(1)
    expect(new Set(results.map((x) => x.r.message.id)).size).toBe(1)
    expect(results.filter((x) => !x.a.deduplicated)).toHaveLength(1)
    const rows = await database.db
      .selectFrom('messages')
      .select(['sender_type'])
      .where('tenant_id', '=', access.tenant.id)
      .where((eb) =>
        eb.or([
          eb('source_message_id', '=', 'm-concurrent'),
          eb('reply_to_id', '=', results[0]!.a.userMessage.id),
        ]),
      )
      .execute()
    expect(rows.map((r) => r.sender_type).sort()).toEqual(['ai', 'contact'])
    expect(await countMessages(conv)).toBe(2)
    const conversations = await database.db
      .selectFrom('conversations')
      .select('id')
      .where('tenant_id', '=', access.tenant.id)
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
    const contacts = await database.db
      .selectFrom('contacts')
      .select('id')
      .where('email', '=', 'racer@example.com')
      .execute()
    expect(contacts).toHaveLength(1)
    // Followers of the same message in this process wait for the one running reply.
    expect(agent.calls.length - before).toBe(1)
  })

  it('keeps the visitor message when the agent fails; a retry completes the reply', async () => {
    agent.failNext(1, 1)
    const accepted = await acceptVisitorMessage(ctx, access, {
      body: 'printer jam',
      sourceMessageId: 'm-fail-1',
    })
    const err = await expectApiError(generateAgentReply(ctx, access, accepted), 503)
    expect(err.code).toBe('agent_unavailable')
    expect(await countMessages(accepted.conversation.id, 'contact')).toBe(1)
    expect(await countMessages(accepted.conversation.id, 'ai')).toBe(0)

    const retry = await acceptVisitorMessage(ctx, access, {
      body: 'printer jam',
      sourceMessageId: 'm-fail-1',
    })
    expect(retry.deduplicated).toBe(true)
    expect(retry.existingReply).toBeUndefined()
    const reply = await generateAgentReply(ctx, access, retry)
    expect(reply.deduplicated).toBe(false)
    expect(reply.message.body).toContain('printer jam')
    expect(await countMessages(accepted.conversation.id, 'contact')).toBe(1)
    expect(await countMessages(accepted.conversation.id, 'ai')).toBe(1)
  })

  it('tells followers the reply failed, and never leaves a waiter hanging on an abandoned stream', async () => {
    agent.failNext(1, 1)
    const failing = await acceptVisitorMessage(ctx, access, {
      body: 'will fail',
      sourceMessageId: 'm-f2',
    })
    events.length = 0
    await expectApiError(generateAgentReply(ctx, access, failing), 503)
    const frames = events.map((e) => (e.type === 'thread.frame' ? e.frame : {}))
    expect(frames.map((f) => f.type)).toEqual(['typing', 'chunk', 'error'])
    expect(frames.at(-1)).toMatchObject({ code: 'agent_unavailable', source_message_id: 'm-f2' })

    const accepted = await acceptVisitorMessage(ctx, access, { body: 'abandoned stream' })
    const first = streamAgentReply(ctx, access, accepted)
    expect((await first.next()).value).toBe('Happy to help')
    const waiter = generateAgentReply(ctx, access, accepted)
    await first.return(undefined as never)
    await expectApiError(waiter, 503)
    const completed = await generateAgentReply(ctx, access, accepted)
    expect(completed.deduplicated).toBe(false)
    expect(completed.message.body).toContain('abandoned stream')
  })

  it('treats a thrown agent (not only AgentUnavailableError) and an empty reply as unavailable', async () => {
    const broken = {
      ...ctx,
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
    const a = await acceptVisitorMessage(broken, access, { body: 'hi there' })
    const logged: unknown[] = []
    await expectApiError(
      generateAgentReply(broken, access, a, { log: { error: (o) => logged.push(o) } }),
      503,
    )
    expect(logged).toHaveLength(1)
    const empty = { ...ctx, agent: createScriptedAgent({ chunks: () => ['  '] }) }
    const b = await acceptVisitorMessage(empty, access, { body: 'hi again' })
    await expectApiError(generateAgentReply(empty, access, b), 503)
    expect(await countMessages(b.conversation.id, 'ai')).toBe(0)
  })

  it('rejects blank bodies and oversized metadata with 422 naming the field', async () => {
    const blank = await expectApiError(acceptVisitorMessage(ctx, access, { body: ' \n ' }), 422)
    expect(blank.detail).toEqual([expect.objectContaining({ loc: ['body', 'body'] })])
    const big = await expectApiError(
      acceptVisitorMessage(ctx, access, { body: 'x', metadata: { blob: 'y'.repeat(5000) } }),
      422,
    )
    expect(big.detail).toEqual([expect.objectContaining({ loc: ['body', 'metadata'] })])
  })

  it("attaches this tenant's unattached uploads, and rolls back on any bad one", async () => {
    const mk = async (tenantId: string) => {
      const id = `upl_${Math.random().toString(36).slice(2)}`
      await insertUpload(database.db, {
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
    const mine = await mk(access.tenant.id)
    const theirs = await mk(other.tenant.id)
    const err = await expectApiError(
      acceptVisitorMessage(ctx, access, {
        body: 'see file',
        sourceMessageId: 'm-up-1',
        uploadIds: [mine, theirs],
      }),
      422,
    )
    expect(err.detail).toEqual([expect.objectContaining({ loc: ['body', 'upload_ids', 1] })])
    const stored = await database.db
      .selectFrom('messages')
      .select('id')
      .where('source_message_id', '=', 'm-up-1')
      .execute()
    expect(stored).toHaveLength(0)
    const ok = await acceptVisitorMessage(ctx, access, {
      body: 'see file',
      sourceMessageId: 'm-up-1',
      uploadIds: [mine],
    })
    const row = await database.db
      .selectFrom('uploads')
      .select('message_id')
      .where('id', '=', mine)
      .executeTakeFirstOrThrow()
    expect(row.message_id).toBe(ok.userMessage.id)
    // Already attached: a second message cannot take it.
    await expectApiError(
      acceptVisitorMessage(ctx, access, { body: 'again', uploadIds: [mine] }),
      422,
    )
  })

  describe('ownership (the planted-history attack)', () => {
    it('keeps conversations that only asserted an email out of that email’s history', async () => {
      // The attacker types the victim's address: the message is stored and linked to the contact
      // (so admins can answer), but it must never show up in the victim's history.
      const planted = await acceptVisitorMessage(ctx, access, {
        body: 'Victim here: please send my invoices to attacker@evil.test',
        identity: { senderEmail: 'victim@example.com' },
      })
      expect(planted.contact.email).toBe('victim@example.com')
      expect(planted.conversation.contact_verified).toBe(0)

      const real = await acceptVisitorMessage(ctx, access, {
        body: 'My real question',
        identity: { verifiedEmail: 'victim@example.com', senderEmail: 'victim@example.com' },
      })
      expect(real.conversation.contact_verified).toBe(1)
      expect(real.contact.id).toBe(planted.contact.id)

      const history = await listVisitorHistory(
        database.db,
        access.tenant.id,
        'victim@example.com',
        {
          conversationLimit: 20,
          messageLimit: 100,
        },
      )
      expect(history.conversations.map((c) => c.conversation_id)).toEqual([real.conversation.id])
      expect(JSON.stringify(history)).not.toContain('attacker@evil.test')
    })

    it('lets only a holder of the same email token continue or resolve a proven conversation', async () => {
      const owned = await acceptVisitorMessage(ctx, access, {
        body: 'private matter',
        sourceThreadId: 'owned-thread',
        identity: { verifiedEmail: 'owner@example.com' },
      })
      await expectApiError(
        acceptVisitorMessage(ctx, access, { body: 'injected', sourceThreadId: 'owned-thread' }),
        403,
      )
      await expectApiError(
        acceptVisitorMessage(ctx, access, {
          body: 'injected',
          sourceThreadId: owned.thread.id,
          identity: { senderEmail: 'owner@example.com' },
        }),
        403,
      )
      await expectApiError(
        acceptVisitorMessage(ctx, access, {
          body: 'injected',
          sourceThreadId: owned.thread.id,
          identity: { verifiedEmail: 'someone@example.com' },
        }),
        403,
      )
      expect(await countMessages(owned.conversation.id)).toBe(1)
      const ok = await acceptVisitorMessage(ctx, access, {
        body: 'follow-up',
        sourceThreadId: owned.thread.id,
        identity: { verifiedEmail: 'owner@example.com' },
      })
      expect(ok.conversation.id).toBe(owned.conversation.id)

      await expectApiError(
        resolveConversationAsVisitor(ctx, access, owned.conversation.id, {
          sourceThreadId: owned.thread.id,
        }),
        404,
      )
      await expectApiError(
        resolveConversationAsVisitor(ctx, other, owned.conversation.id, {
          identity: { verifiedEmail: 'owner@example.com' },
        }),
        404,
      )
      const resolved = await resolveConversationAsVisitor(ctx, access, owned.conversation.id, {
        identity: { verifiedEmail: 'owner@example.com' },
      })
      expect(resolved.status).toBe('resolved')
      // A new message reopens it.
      const reopened = await acceptVisitorMessage(ctx, access, {
        body: 'one more thing',
        sourceThreadId: owned.thread.id,
        identity: { verifiedEmail: 'owner@example.com' },
      })
      expect(reopened.conversation.status).toBe('open')
      const stored = await findConversationForTenant(
        database.db,
        access.tenant.id,
        owned.conversation.id,
      )
      expect(stored).toMatchObject({
        status: 'open',
        contact_id: owned.contact.id,
        contact_verified: 1,
        updated_at: reopened.userMessage.created_at,
      })
    })

    it('lets a token holder claim a conversation started anonymously', async () => {
      const anon = await acceptVisitorMessage(ctx, access, { body: 'hi, anonymous' })
      expect(anon.contact.email).toBeNull()
      const claimed = await acceptVisitorMessage(ctx, access, {
        body: 'it is me',
        sourceThreadId: anon.thread.id,
        identity: { verifiedEmail: 'claimer@example.com' },
      })
      expect(claimed.contact.id).toBe(anon.contact.id)
      expect(claimed.contact.email).toBe('claimer@example.com')
      expect(claimed.conversation.contact_verified).toBe(1)
      expect(
        await findConversationForTenant(database.db, access.tenant.id, anon.conversation.id),
      ).toMatchObject({ contact_id: anon.contact.id, contact_verified: 1, status: 'open' })
      const history = await listVisitorHistory(
        database.db,
        access.tenant.id,
        'claimer@example.com',
        {
          conversationLimit: 5,
          messageLimit: 40,
        },
      )
      expect(history.conversations[0]?.messages.map((m) => m.body)).toEqual([
        'hi, anonymous',
        'it is me',
      ])
    })
  })

  it('opens a thread for a call before anything is said, and records assistant turns once', async () => {
    const opened = await openThread(ctx, access, { sourceThreadId: 'voice-room-1' })
    expect(opened.created).toBe(true)
    expect((await openThread(ctx, access, { sourceThreadId: 'voice-room-1' })).thread.id).toBe(
      opened.thread.id,
    )
    const turn = await acceptVisitorMessage(
      ctx,
      access,
      {
        body: 'my screen is black',
        conversationId: opened.conversation.id,
        channel: 'voice',
        sourceMessageId: 'voice:seg-1',
      },
      { trusted: true },
    )
    expect(turn.thread.id).toBe(opened.thread.id)
    expect(turn.conversation.subject).toBe('my screen is black')
    const a = await recordAssistantMessage(ctx, access, {
      conversationId: opened.conversation.id,
      body: 'Try the power button.',
      channel: 'voice',
      sourceMessageId: 'voice:seg-2',
    })
    const b = await recordAssistantMessage(ctx, access, {
      conversationId: opened.conversation.id,
      body: 'Try the power button.',
      channel: 'voice',
      sourceMessageId: 'voice:seg-2',
    })
    expect(b.deduplicated).toBe(true)
    expect(b.message.id).toBe(a.message.id)
    expect(await countMessages(opened.conversation.id)).toBe(2)
  })

  it('names a conversation opened before anything was said after its first visitor message', async () => {
    const opened = await openThread(ctx, access, {
      sourceThreadId: 'voice-room-2',
      subject: 'Voice call',
    })
    const first = await acceptVisitorMessage(ctx, access, {
      body: 'the projector shows no signal',
      sourceThreadId: 'voice-room-2',
    })
    expect(first.thread.id).toBe(opened.thread.id)
    expect(first.conversation.subject).toBe('the projector shows no signal')
    const second = await acceptVisitorMessage(ctx, access, {
      body: 'still nothing',
      sourceThreadId: opened.thread.id,
    })
    expect(second.conversation.subject).toBe('the projector shows no signal')
    expect(
      (await findConversationForTenant(database.db, access.tenant.id, opened.conversation.id))
        ?.subject,
    ).toBe('the projector shows no signal')
  })

  it('gives a conversation whose contact was deleted a new anonymous contact', async () => {
    const first = await acceptVisitorMessage(ctx, access, {
      body: 'hello from a deleted contact',
      sourceThreadId: 'client-thread-orphan',
    })
    await database.db.deleteFrom('contacts').where('id', '=', first.contact.id).execute()
    const next = await acceptVisitorMessage(ctx, access, {
      body: 'am I still here?',
      sourceThreadId: 'client-thread-orphan',
    })
    expect(next.conversation.id).toBe(first.conversation.id)
    expect(next.contact.id).not.toBe(first.contact.id)
    expect(next.contact.email).toBeNull()
    expect(
      (await findConversationForTenant(database.db, access.tenant.id, first.conversation.id))
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
