import { CompiledQuery } from 'kysely'
import { expect, it } from 'vitest'
import { useConversationService } from '../../test/conversation-service.ts'
import { captureSqliteStatements, recompiledAtEachRun } from '../../test/sqlite-statements.ts'
import { streamAgentReply } from './agent-reply.ts'
import { acceptVisitorMessage } from './visitor-message.ts'

/**
 * Every statement a widget message runs finds its rows through the conversation, never by
 * walking the tenant's messages: an index the analytics added, (tenant_id, sender_type,
 * created_at), once made SQLite answer "has this conversation a visitor message?" by scanning
 * all of the tenant's visitor messages, so each message cost more as the tenant grew (850 µs
 * per message on a 1,800-message bench database). The plans are read with SQLite's EXPLAIN
 * QUERY PLAN on the statements a message really ran, with the parameters it ran them with.
 */
const ran = captureSqliteStatements()

const f = useConversationService('sqlite')

async function reply(accepted: Awaited<ReturnType<typeof acceptVisitorMessage>>) {
  const gen = streamAgentReply(f.ctx, f.access, accepted)
  while (!(await gen.next()).done) {}
}

/**
 * A first question answered, then (statements recorded from here) a follow-up in the same
 * thread, answered too.
 */
async function followUp(body: string) {
  const first = await acceptVisitorMessage(f.ctx, f.access, { body: 'I forgot my password' })
  await reply(first)
  ran.clear()
  const next = await acceptVisitorMessage(f.ctx, f.access, {
    body,
    sourceThreadId: first.thread.id,
  })
  await reply(next)
  return { first, next }
}

it('a visitor message and its reply use no tenant-wide scan of messages', async () => {
  // Some of the tenant's history first, so a scan would have rows to walk.
  for (let i = 0; i < 5; i++)
    await reply(await acceptVisitorMessage(f.ctx, f.access, { body: `question ${i}` }))
  const { first, next } = await followUp('It still does not work')
  expect(next.conversation.id).toBe(first.conversation.id)

  const touchingMessages = [...ran].filter(([source]) => /\bmessages\b/.test(source))
  // The thread look-up, the message insert and the history read for the assistant (at least).
  expect(touchingMessages.length).toBeGreaterThanOrEqual(3)
  const bad: string[] = []
  for (const [source, args] of touchingMessages) {
    const plan = await f.database.db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${source}`, args),
    )
    for (const { detail } of plan.rows)
      if (
        /\b(SCAN|SEARCH) (messages|m)\b/.test(detail) &&
        !/messages_conversation_seq|messages_tenant_source|messages_reply_to|sqlite_autoindex_messages|INTEGER PRIMARY KEY|rowid/.test(
          detail,
        )
      )
        bad.push(`${detail}\n    in: ${source.replace(/\s+/g, ' ').slice(0, 200)}`)
  }
  expect(bad).toEqual([])
  // Nor is any of them compiled again for each message (a sender type bound as a parameter
  // did that while a partial index compared it with a constant: 190 µs instead of 6 µs).
  expect(await recompiledAtEachRun(f.database.db, ran.keys())).toEqual([])
})

it('a message in a conversation that is going on writes the conversation only through its insert', async () => {
  const { first } = await followUp('How do I connect to the VPN from home?')
  // updated_at moves in the insert's trigger (migration 0034): no update of its own, for the
  // visitor's message or for the reply.
  expect([...ran.keys()].filter((s) => /^\s*update\s+"?conversations"?/i.test(s))).toEqual([])
  const row = await f.database.db
    .selectFrom('conversations')
    .select('updated_at')
    .where('id', '=', first.conversation.id)
    .executeTakeFirstOrThrow()
  const last = await f.database.db
    .selectFrom('messages')
    .select('created_at')
    .where('conversation_id', '=', first.conversation.id)
    .orderBy('seq', 'desc')
    .executeTakeFirstOrThrow()
  expect(row.updated_at).toBe(last.created_at)
})
