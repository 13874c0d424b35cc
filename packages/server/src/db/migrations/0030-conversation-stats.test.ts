import { sql } from 'kysely'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createTestDatabase, createTestTenant, forEachDialect } from '../../../test/helpers.ts'
import { upsertMessageFeedback } from '../../feedback/feedback-repo.ts'
import type { DbHandle } from '../connect.ts'
import { migrateToLatest } from '../migrate.ts'

const CITED = '{"sources":[{"id":"kb_1","title":"Returns"}]}'
const UNANSWERED = '{"unanswered":true}'

forEachDialect('migration 0030 (analytics figures kept on conversations)', (dialect) => {
  let h: DbHandle
  let tenant: string
  beforeEach(async () => {
    h = await createTestDatabase(dialect, '0028-passage-embeddings')
    tenant = (await createTestTenant(h.db)).tenantId
  })
  afterEach(async () => h.close())

  const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 9, minute)).toISOString()
  const conversation = async (id: string) => {
    await sql`insert into conversations (id, tenant_id, subject, status, created_at, updated_at)
      values (${id}, ${tenant}, 'Subject', 'open', ${at(0)}, ${at(0)})`.execute(h.db)
    await sql`insert into threads (id, tenant_id, conversation_id, created_at)
      values (${`${id}-t`}, ${tenant}, ${id}, ${at(0)})`.execute(h.db)
  }
  const message = (
    conv: string,
    id: string,
    sender: 'contact' | 'ai' | 'agent',
    minute: number,
    extra: { metadata?: string; private?: number } = {},
  ) =>
    sql`insert into messages (id, tenant_id, conversation_id, thread_id, sender_type, body, metadata, private, created_at)
      values (${id}, ${tenant}, ${conv}, ${`${conv}-t`}, ${sender}, ${`body ${id}`}, ${extra.metadata ?? null}, ${extra.private ?? 0}, ${at(minute)})`.execute(
      h.db,
    )
  const vote = (conv: string, messageId: string, rating: 'up' | 'down') =>
    upsertMessageFeedback(h.db, {
      message_id: messageId,
      tenant_id: tenant,
      conversation_id: conv,
      rating,
      comment: null,
      at: at(59),
    })

  /** The figures as the overview grouped them from the messages before this migration. */
  const fromMessages = async () =>
    (
      await sql<Record<string, unknown>>`
        select s.*, (select f.rating from message_feedback f join messages a on a.id = f.message_id
            where a.seq = s.last_answer_seq) as rating
        from (
          select c.id,
            sum(case when m.sender_type = 'ai' and m.metadata like '%"sources":[{%' then 1 else 0 end) as answers,
            max(case when m.sender_type = 'ai' and m.metadata like '%"sources":[{%' then m.seq end) as last_answer_seq,
            max(case when m.sender_type = 'ai' and m.metadata like '%"unanswered":true%' then m.seq end) as last_unanswered_seq,
            max(case when m.sender_type = 'contact' then m.seq end) as last_visitor_seq,
            max(case when m.sender_type = 'ai' then m.seq end) as last_ai_seq,
            sum(case when m.sender_type = 'agent' and m.private = 0 then 1 else 0 end) as person_messages,
            min(case when m.sender_type = 'contact' then m.created_at end) as first_visitor_at,
            min(case when m.sender_type = 'ai' then m.created_at end) as first_ai_at,
            max(m.created_at) as last_message_at
          from conversations c left join messages m on m.conversation_id = c.id
          group by c.id
        ) s order by s.id`.execute(h.db)
    ).rows.map(normalize)
  const kept = async () =>
    (
      await sql<Record<string, unknown>>`
        select id, stat_answers as answers, stat_last_answer_seq as last_answer_seq,
          stat_last_unanswered_seq as last_unanswered_seq, stat_last_visitor_seq as last_visitor_seq,
          stat_last_ai_seq as last_ai_seq, stat_person_messages as person_messages,
          stat_first_visitor_at as first_visitor_at, stat_first_ai_at as first_ai_at,
          stat_last_message_at as last_message_at, stat_last_answer_rating as rating
        from conversations order by id`.execute(h.db)
    ).rows.map(normalize)
  const normalize = (r: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [
        k,
        v === null || typeof v === 'string' ? (/^\d+$/.test(String(v)) ? Number(v) : v) : Number(v),
      ]),
    )

  it('fills existing conversations from their messages, then keeps every insert and vote', async () => {
    await conversation('c1')
    await conversation('c2')
    await conversation('c3')
    await message('c1', 'c1-q1', 'contact', 1)
    await message('c1', 'c1-a1', 'ai', 2, { metadata: CITED })
    await message('c1', 'c1-q2', 'contact', 3)
    await message('c1', 'c1-a2', 'ai', 4, { metadata: UNANSWERED })
    await message('c2', 'c2-q1', 'contact', 1)
    await message('c2', 'c2-a1', 'ai', 3, { metadata: CITED })
    await message('c2', 'c2-n1', 'agent', 4, { private: 1 })
    await message('c2', 'c2-p1', 'agent', 5)
    await vote('c2', 'c2-a1', 'up')

    await migrateToLatest(h)
    const filled = await kept()
    expect(filled).toEqual(await fromMessages())
    expect(filled.find((r) => r.id === 'c2')).toMatchObject({
      answers: 1,
      person_messages: 1,
      rating: 'up',
      first_ai_at: at(3),
    })
    expect(filled.find((r) => r.id === 'c3')).toMatchObject({ answers: 0, last_message_at: null })

    // After the migration: the trigger folds each insert and vote in.
    await message('c1', 'c1-q3', 'contact', 10)
    await message('c1', 'c1-a3', 'ai', 11, { metadata: CITED })
    await message('c3', 'c3-q1', 'contact', 20)
    await message('c3', 'c3-a1', 'ai', 21)
    await message('c3', 'c3-p1', 'agent', 22, { private: 1 })
    await vote('c1', 'c1-a1', 'down') // not the last answer: no change
    expect((await kept()).find((r) => r.id === 'c1')?.rating).toBeNull()
    await vote('c1', 'c1-a3', 'down')
    expect((await kept()).find((r) => r.id === 'c1')?.rating).toBe('down')
    await vote('c1', 'c1-a3', 'up') // changed: the upsert's update
    const after = await kept()
    expect(after).toEqual(await fromMessages())
    expect(after.find((r) => r.id === 'c1')).toMatchObject({
      answers: 2,
      rating: 'up',
      last_message_at: at(11),
    })
    expect(after.find((r) => r.id === 'c3')).toMatchObject({
      answers: 0,
      person_messages: 0,
      first_visitor_at: at(20),
      first_ai_at: at(21),
    })

    // A new answer has no vote yet.
    await message('c2', 'c2-a2', 'ai', 30, { metadata: CITED })
    expect((await kept()).find((r) => r.id === 'c2')?.rating).toBeNull()
    expect(await kept()).toEqual(await fromMessages())
  })

  it('goes with its conversation: deleting one leaves the others', async () => {
    await migrateToLatest(h)
    await conversation('c1')
    await conversation('c2')
    await message('c1', 'c1-q1', 'contact', 1)
    await message('c2', 'c2-q1', 'contact', 2)
    await sql`delete from conversations where id = 'c1'`.execute(h.db)
    expect(await kept()).toEqual(await fromMessages())
  })
})
