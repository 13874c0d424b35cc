import { describe, expect, it } from 'vitest'
import { expectApiError, useConversationService } from '../../test/conversation-service.ts'
import { forEachDialect } from '../../test/helpers.ts'
import { identityOfToken } from '../visitors/visitor-auth.ts'
import { recordAssistantMessage } from './assistant-messages.ts'
import { findConversationForTenant } from './conversation-repo.ts'
import { resolveConversationAsVisitor } from './conversation-status.ts'
import { openThread } from './locate-thread.ts'
import { listVisitorHistory } from './visitor-history.ts'
import { acceptVisitorMessage } from './visitor-message.ts'

/** Whose conversation it is: the planted-history attack, calls opened early, contacts. */
forEachDialect('conversation ownership', (dialect) => {
  const f = useConversationService(dialect)

  describe('ownership (the planted-history attack)', () => {
    let n = 0
    /** A token's identity: `proven` as identity verification or a mailed code would make it. */
    const tokenOf = (email: string, proven: boolean, id = `tok-${n++}-xxxxxxxxxxxxxx`) =>
      identityOfToken({ id, email, proven })

    it('keeps claimed emails off contacts and out of that email’s history', async () => {
      // The attacker types the victim's address: stored as an unverified claim on an anonymous
      // contact, never on the victim's contact, never in the victim's history.
      const planted = await acceptVisitorMessage(f.ctx, f.access, {
        body: 'Victim here: please send my invoices to attacker@evil.test',
        identity: { senderEmail: 'victim@example.com' },
      })
      expect(planted.contact.email).toBeNull()
      expect(planted.conversation).toMatchObject({
        contact_verified: 0,
        claimed_email: 'victim@example.com',
      })
      const viaToken = await acceptVisitorMessage(f.ctx, f.access, {
        body: 'Planted through an unproven token',
        identity: tokenOf('victim@example.com', false),
      })
      expect(viaToken.contact.email).toBeNull()

      const victim = tokenOf('victim@example.com', true)
      const real = await acceptVisitorMessage(f.ctx, f.access, {
        body: 'My real question',
        identity: victim,
      })
      expect(real.conversation.contact_verified).toBe(1)
      expect(real.contact.email).toBe('victim@example.com')
      expect(real.contact.id).not.toBe(planted.contact.id)

      const history = await listVisitorHistory(f.database.db, f.access.tenant.id, victim.token!, {
        conversationLimit: 20,
        messageLimit: 100,
      })
      expect(history.conversations.map((c) => c.conversation_id)).toEqual([real.conversation.id])
      expect(JSON.stringify(history)).not.toContain('attacker@evil.test')
    })

    it('lets only the owner token (or a proven token of the email) continue or resolve it', async () => {
      const owner = tokenOf('owner@example.com', true)
      const owned = await acceptVisitorMessage(f.ctx, f.access, {
        body: 'private matter',
        sourceThreadId: 'owned-thread',
        identity: owner,
      })
      for (const identity of [
        {},
        { senderEmail: 'owner@example.com' },
        tokenOf('owner@example.com', false),
        tokenOf('someone@example.com', true),
      ]) {
        await expectApiError(
          acceptVisitorMessage(f.ctx, f.access, {
            body: 'injected',
            sourceThreadId: owned.thread.id,
            identity,
          }),
          404,
        )
      }
      expect(await f.countMessages(owned.conversation.id)).toBe(1)
      // Another device of the same visitor, whose token proves the same email.
      const ok = await acceptVisitorMessage(f.ctx, f.access, {
        body: 'follow-up',
        sourceThreadId: owned.thread.id,
        identity: tokenOf('owner@example.com', true),
      })
      expect(ok.conversation.id).toBe(owned.conversation.id)

      await expectApiError(
        resolveConversationAsVisitor(f.ctx, f.access, owned.conversation.id, {
          sourceThreadId: owned.thread.id,
        }),
        404,
      )
      await expectApiError(
        resolveConversationAsVisitor(f.ctx, f.other, owned.conversation.id, { identity: owner }),
        404,
      )
      const resolved = await resolveConversationAsVisitor(f.ctx, f.access, owned.conversation.id, {
        identity: owner,
      })
      expect(resolved.status).toBe('resolved')
      // A new message reopens it.
      const reopened = await acceptVisitorMessage(f.ctx, f.access, {
        body: 'one more thing',
        sourceThreadId: owned.thread.id,
        identity: owner,
      })
      expect(reopened.conversation.status).toBe('open')
      const stored = await findConversationForTenant(
        f.database.db,
        f.access.tenant.id,
        owned.conversation.id,
      )
      expect(stored).toMatchObject({
        status: 'open',
        contact_id: owned.contact.id,
        contact_verified: 1,
        owner_token_id: owner.token!.id,
        updated_at: reopened.userMessage.created_at,
      })
    })

    it('binds an unproven token’s conversation to that token alone', async () => {
      const mine = tokenOf('shared@example.com', false)
      const started = await acceptVisitorMessage(f.ctx, f.access, { body: 'mine', identity: mine })
      expect(started.conversation).toMatchObject({
        owner_token_id: mine.token!.id,
        contact_verified: 0,
        claimed_email: 'shared@example.com',
      })
      for (const identity of [
        tokenOf('shared@example.com', false),
        tokenOf('shared@example.com', true),
      ]) {
        await expectApiError(
          acceptVisitorMessage(f.ctx, f.access, {
            body: 'not yours',
            sourceThreadId: started.thread.id,
            identity,
          }),
          404,
        )
      }
      const again = await acceptVisitorMessage(f.ctx, f.access, {
        body: 'still mine',
        sourceThreadId: started.thread.id,
        identity: mine,
      })
      expect(again.conversation.id).toBe(started.conversation.id)
    })

    it('lets a token holder claim a conversation started anonymously', async () => {
      const anon = await acceptVisitorMessage(f.ctx, f.access, { body: 'hi, anonymous' })
      expect(anon.contact.email).toBeNull()
      const claimer = tokenOf('claimer@example.com', true)
      const claimed = await acceptVisitorMessage(f.ctx, f.access, {
        body: 'it is me',
        sourceThreadId: anon.thread.id,
        identity: claimer,
      })
      expect(claimed.contact.id).toBe(anon.contact.id)
      expect(claimed.contact.email).toBe('claimer@example.com')
      expect(claimed.conversation.contact_verified).toBe(1)
      expect(
        await findConversationForTenant(f.database.db, f.access.tenant.id, anon.conversation.id),
      ).toMatchObject({
        contact_id: anon.contact.id,
        contact_verified: 1,
        owner_token_id: claimer.token!.id,
        status: 'open',
      })
      // Claimed: the thread reference alone no longer reaches it.
      await expectApiError(
        acceptVisitorMessage(f.ctx, f.access, { body: 'me too', sourceThreadId: anon.thread.id }),
        404,
      )
      const history = await listVisitorHistory(f.database.db, f.access.tenant.id, claimer.token!, {
        conversationLimit: 5,
        messageLimit: 40,
      })
      expect(history.conversations[0]?.messages.map((m) => m.body)).toEqual([
        'hi, anonymous',
        'it is me',
      ])
    })
  })

  it('opening a going conversation again is activity: its updated_at moves, with no message', async () => {
    const opened = await openThread(f.ctx, f.access, { sourceThreadId: 'voice-room-again' })
    const long_ago = '2020-01-01T00:00:00.000Z'
    await f.database.db
      .updateTable('conversations')
      .set({ updated_at: long_ago })
      .where('id', '=', opened.conversation.id)
      .execute()
    const again = await openThread(f.ctx, f.access, { sourceThreadId: 'voice-room-again' })
    expect(again.created).toBe(false)
    const stored = await findConversationForTenant(
      f.database.db,
      f.access.tenant.id,
      opened.conversation.id,
    )
    expect(stored?.updated_at).toBe(again.conversation.updated_at)
    expect(stored!.updated_at > long_ago).toBe(true)
  })

  it('opens a thread for a call before anything is said, and records assistant turns once', async () => {
    const opened = await openThread(f.ctx, f.access, { sourceThreadId: 'voice-room-1' })
    expect(opened.created).toBe(true)
    expect((await openThread(f.ctx, f.access, { sourceThreadId: 'voice-room-1' })).thread.id).toBe(
      opened.thread.id,
    )
    const turn = await acceptVisitorMessage(
      f.ctx,
      f.access,
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
    const a = await recordAssistantMessage(f.ctx, f.access, {
      conversationId: opened.conversation.id,
      body: 'Try the power button.',
      channel: 'voice',
      sourceMessageId: 'voice:seg-2',
    })
    const b = await recordAssistantMessage(f.ctx, f.access, {
      conversationId: opened.conversation.id,
      body: 'Try the power button.',
      channel: 'voice',
      sourceMessageId: 'voice:seg-2',
    })
    expect(b.deduplicated).toBe(true)
    expect(b.message.id).toBe(a.message.id)
    expect(await f.countMessages(opened.conversation.id)).toBe(2)
  })

  it('names a conversation opened before anything was said after its first visitor message', async () => {
    const opened = await openThread(f.ctx, f.access, {
      sourceThreadId: 'voice-room-2',
      subject: 'Voice call',
    })
    const first = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'the projector shows no signal',
      sourceThreadId: 'voice-room-2',
    })
    expect(first.thread.id).toBe(opened.thread.id)
    expect(first.conversation.subject).toBe('the projector shows no signal')
    const second = await acceptVisitorMessage(f.ctx, f.access, {
      body: 'still nothing',
      sourceThreadId: opened.thread.id,
    })
    expect(second.conversation.subject).toBe('the projector shows no signal')
    expect(
      (await findConversationForTenant(f.database.db, f.access.tenant.id, opened.conversation.id))
        ?.subject,
    ).toBe('the projector shows no signal')
  })
})
