import { sql } from 'kysely'
import type { Db } from '../db/schema.ts'

// Stored metadata of an assistant reply is JSON written by `storeReply`: `"sources":[{…}]` only
// when it cited something, `"unanswered":true` when it could not answer (handoff/triggers.ts).
// Constant patterns (no `_` or `%` inside) written into the SQL, so the partial index of
// migration 0021 matches the query's condition word for word.
const CITED = sql.raw(`'%"sources":[{%'`)
const UNANSWERED = sql.raw(`'%"unanswered":true%'`)

/** Per conversation started in the period: what the analytics need to classify it. */
export interface ConversationFacts {
  id: string
  created_at: string
  status: string
  handoff_requested_at: string | null
  first_human_reply_at: string | null
  first_human_reply_user_id: string | null
  /** Assistant replies that cited knowledge (answers, in Fin's sense). */
  answers: number
  last_answer_seq: number | null
  last_unanswered_seq: number | null
  last_visitor_seq: number | null
  last_ai_seq: number | null
  /** Replies a person sent the visitor (private notes excluded). */
  person_messages: number
  first_visitor_at: string | null
  first_ai_at: string | null
  last_message_at: string | null
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))

/** One row per conversation of the tenant started in `[from, to)`, its messages summarised. */
export async function listConversationFacts(
  db: Db,
  tenantId: string,
  fromIso: string,
  toIso: string,
): Promise<ConversationFacts[]> {
  const { rows } = await sql<Record<string, unknown>>`
    select c.id, c.created_at, c.status, c.handoff_requested_at, c.first_human_reply_at,
      c.first_human_reply_user_id,
      sum(case when m.sender_type = 'ai' and m.metadata like ${CITED} then 1 else 0 end) as answers,
      max(case when m.sender_type = 'ai' and m.metadata like ${CITED} then m.seq end) as last_answer_seq,
      max(case when m.sender_type = 'ai' and m.metadata like ${UNANSWERED} then m.seq end) as last_unanswered_seq,
      max(case when m.sender_type = 'contact' then m.seq end) as last_visitor_seq,
      max(case when m.sender_type = 'ai' then m.seq end) as last_ai_seq,
      sum(case when m.sender_type = 'agent' and m.private = 0 then 1 else 0 end) as person_messages,
      min(case when m.sender_type = 'contact' then m.created_at end) as first_visitor_at,
      min(case when m.sender_type = 'ai' then m.created_at end) as first_ai_at,
      max(m.created_at) as last_message_at
    from conversations c
    left join messages m on m.conversation_id = c.id
    where c.tenant_id = ${tenantId} and c.created_at >= ${fromIso} and c.created_at < ${toIso}
    group by c.id`.execute(db)
  return rows.map((r) => ({
    id: String(r.id),
    created_at: String(r.created_at),
    status: String(r.status),
    handoff_requested_at: (r.handoff_requested_at as string | null) ?? null,
    first_human_reply_at: (r.first_human_reply_at as string | null) ?? null,
    first_human_reply_user_id: (r.first_human_reply_user_id as string | null) ?? null,
    answers: Number(r.answers ?? 0),
    last_answer_seq: num(r.last_answer_seq),
    last_unanswered_seq: num(r.last_unanswered_seq),
    last_visitor_seq: num(r.last_visitor_seq),
    last_ai_seq: num(r.last_ai_seq),
    person_messages: Number(r.person_messages ?? 0),
    first_visitor_at: (r.first_visitor_at as string | null) ?? null,
    first_ai_at: (r.first_ai_at as string | null) ?? null,
    last_message_at: (r.last_message_at as string | null) ?? null,
  }))
}

/** Votes on answers of conversations started in the period: where each answer sits. */
export async function listVotesOfPeriodConversations(
  db: Db,
  tenantId: string,
  fromIso: string,
  toIso: string,
): Promise<{ conversation_id: string; seq: number; rating: string }[]> {
  const rows = await db
    .selectFrom('message_feedback as f')
    .innerJoin('conversations as c', 'c.id', 'f.conversation_id')
    .innerJoin('messages as m', 'm.id', 'f.message_id')
    .select(['f.conversation_id', 'm.seq', 'f.rating'])
    .where('f.tenant_id', '=', tenantId)
    .where('c.tenant_id', '=', tenantId)
    .where('c.created_at', '>=', fromIso)
    .where('c.created_at', '<', toIso)
    .execute()
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }))
}

/** Messages visitors sent in the period. */
export async function countVisitorMessages(
  db: Db,
  tenantId: string,
  fromIso: string,
  toIso: string,
): Promise<number> {
  const r = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('sender_type', '=', 'contact')
    .where('created_at', '>=', fromIso)
    .where('created_at', '<', toIso)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

/** Thumbs up and down given (last changed) in the period. */
export async function countVotes(
  db: Db,
  tenantId: string,
  fromIso: string,
  toIso: string,
): Promise<{ up: number; down: number }> {
  const rows = await db
    .selectFrom('message_feedback')
    .select(['rating', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('tenant_id', '=', tenantId)
    .where('updated_at', '>=', fromIso)
    .where('updated_at', '<', toIso)
    .groupBy('rating')
    .execute()
  const of = (rating: string) => Number(rows.find((r) => r.rating === rating)?.n ?? 0)
  return { up: of('up'), down: of('down') }
}

/** Satisfaction scores given (last changed) in the period: their sum and number. */
export async function summariseCsat(
  db: Db,
  tenantId: string,
  fromIso: string,
  toIso: string,
): Promise<{ sum: number; responses: number }> {
  const r = await db
    .selectFrom('conversation_csat')
    .select([
      (eb) => eb.fn.countAll<number | string>().as('n'),
      (eb) => eb.fn.sum<number | string | null>('score').as('total'),
    ])
    .where('tenant_id', '=', tenantId)
    .where('updated_at', '>=', fromIso)
    .where('updated_at', '<', toIso)
    .executeTakeFirstOrThrow()
  return { sum: Number(r.total ?? 0), responses: Number(r.n) }
}

/** A visitor question the assistant did not answer, or whose answer got a thumbs-down. */
export interface MissedQuestion {
  question_id: string
  conversation_id: string
  body: string
  asked_at: string
  reason: 'no_answer' | 'thumbs_down'
}

/**
 * Questions asked in the period whose reply was flagged unanswered (newest first, at most
 * `limit`), then those whose answer got a thumbs-down.
 */
export async function listMissedQuestions(
  db: Db,
  tenantId: string,
  fromIso: string,
  toIso: string,
  limit: number,
): Promise<MissedQuestion[]> {
  const unanswered = await sql<Omit<MissedQuestion, 'reason'>>`
    select q.id as question_id, q.conversation_id, q.body, q.created_at as asked_at
    from messages a
    join messages q on q.id = a.reply_to_id
    where a.tenant_id = ${tenantId} and a.sender_type = 'ai' and a.metadata like ${UNANSWERED}
      and a.created_at >= ${fromIso} and a.created_at < ${toIso} and q.tenant_id = ${tenantId}
    order by a.created_at desc
    limit ${limit}`.execute(db)
  const downvoted = await db
    .selectFrom('message_feedback as f')
    .innerJoin('messages as a', 'a.id', 'f.message_id')
    .innerJoin('messages as q', 'q.id', 'a.reply_to_id')
    .select(['q.id as question_id', 'q.conversation_id', 'q.body', 'q.created_at as asked_at'])
    .where('f.tenant_id', '=', tenantId)
    .where('f.rating', '=', 'down')
    .where('q.tenant_id', '=', tenantId)
    .where('a.created_at', '>=', fromIso)
    .where('a.created_at', '<', toIso)
    .orderBy('a.created_at', 'desc')
    .limit(limit)
    .execute()
  return [
    ...unanswered.rows.map((r) => ({ ...r, reason: 'no_answer' as const })),
    ...downvoted.map((r) => ({ ...r, reason: 'thumbs_down' as const })),
  ]
}

/** The metadata of every answer that cited knowledge in the period (for the cited articles). */
export async function listCitingAnswers(
  db: Db,
  tenantId: string,
  fromIso: string,
  toIso: string,
): Promise<string[]> {
  const { rows } = await sql<{ metadata: string }>`
    select metadata from messages
    where tenant_id = ${tenantId} and sender_type = 'ai' and metadata like ${CITED}
      and created_at >= ${fromIso} and created_at < ${toIso}`.execute(db)
  return rows.map((r) => r.metadata)
}

/**
 * Per console user: the messages they sent visitors (private notes excluded) in conversations
 * of the tenant started in `[from, to)`.
 */
export async function countPersonReplies(
  db: Db,
  tenantId: string,
  fromIso: string,
  toIso: string,
): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select(['m.author_user_id', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('m.tenant_id', '=', tenantId)
    .where('c.tenant_id', '=', tenantId)
    .where('m.sender_type', '=', 'agent')
    .where('m.private', '=', 0)
    .where('m.author_user_id', 'is not', null)
    .where('c.created_at', '>=', fromIso)
    .where('c.created_at', '<', toIso)
    .groupBy('m.author_user_id')
    .execute()
  return new Map(rows.map((r) => [r.author_user_id as string, Number(r.n)]))
}

/** The tenant's console users among `ids` (others' never), with their names and emails. */
export async function listTenantUsersById(
  db: Db,
  tenantId: string,
  ids: string[],
): Promise<{ id: string; name: string | null; email: string }[]> {
  if (ids.length === 0) return []
  return db
    .selectFrom('admin_users')
    .select(['id', 'name', 'email'])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute()
}
