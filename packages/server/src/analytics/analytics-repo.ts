import { sql } from 'kysely'
import type { Db, Dialect } from '../db/schema.ts'

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

/**
 * One row per conversation of the tenant started in `[from, to)`, its messages summarised, with
 * the vote on its last answer. The summary is kept on the conversation as messages and votes
 * arrive (migration 0030), so this reads no message.
 */
export async function listConversationFacts(
  db: Db,
  tenantId: string,
  fromIso: string,
  toIso: string,
): Promise<(ConversationFacts & { last_answer_rating: string | null })[]> {
  const { rows } = await sql<Record<string, unknown>>`
    select c.id, c.created_at, c.status, c.handoff_requested_at, c.first_human_reply_at,
      c.first_human_reply_user_id, c.stat_answers, c.stat_last_answer_seq,
      c.stat_last_unanswered_seq, c.stat_last_visitor_seq, c.stat_last_ai_seq,
      c.stat_person_messages, c.stat_first_visitor_at, c.stat_first_ai_at,
      c.stat_last_message_at, c.stat_last_answer_rating
    from conversations c
    where c.tenant_id = ${tenantId} and c.created_at >= ${fromIso} and c.created_at < ${toIso}`.execute(
    db,
  )
  return rows.map((r) => ({
    id: r.id as string,
    created_at: r.created_at as string,
    status: r.status as string,
    handoff_requested_at: (r.handoff_requested_at as string | null) ?? null,
    first_human_reply_at: (r.first_human_reply_at as string | null) ?? null,
    first_human_reply_user_id: (r.first_human_reply_user_id as string | null) ?? null,
    answers: Number(r.stat_answers ?? 0),
    last_answer_seq: num(r.stat_last_answer_seq),
    last_unanswered_seq: num(r.stat_last_unanswered_seq),
    last_visitor_seq: num(r.stat_last_visitor_seq),
    last_ai_seq: num(r.stat_last_ai_seq),
    person_messages: Number(r.stat_person_messages ?? 0),
    first_visitor_at: (r.stat_first_visitor_at as string | null) ?? null,
    first_ai_at: (r.stat_first_ai_at as string | null) ?? null,
    last_message_at: (r.stat_last_message_at as string | null) ?? null,
    last_answer_rating: (r.stat_last_answer_rating as string | null) ?? null,
  }))
}

/**
 * The outcome of a conversation (analytics/resolution.ts, `outcomeOf`) in SQL, from the figures
 * migration 0030 keeps on it; `cutoffIso` is 24 hours before now (assumed resolution).
 */
const outcomeSql = (cutoffIso: string) => sql`case
    when c.handoff_requested_at is not null or c.stat_person_messages > 0 then 'handed_off'
    when c.stat_answers = 0 or c.stat_last_answer_seq is null then 'other'
    when c.stat_last_unanswered_seq is not null
      and c.stat_last_unanswered_seq > c.stat_last_answer_seq then 'other'
    when c.stat_last_visitor_seq is not null
      and (c.stat_last_ai_seq is null or c.stat_last_visitor_seq > c.stat_last_ai_seq) then 'other'
    when c.stat_last_answer_rating = 'down' then 'other'
    when c.stat_last_answer_rating = 'up' or c.status = 'resolved' then 'resolved_by_ai'
    when coalesce(c.stat_last_message_at, c.created_at) <= ${cutoffIso} then 'resolved_by_ai'
    else 'other'
  end`

/** Conversations of a quarter hour (UTC) with one outcome: `slot` is that quarter's start. */
export interface OutcomeCount {
  slot: string
  outcome: 'resolved_by_ai' | 'handed_off' | 'other'
  n: number
}

/**
 * The period's conversations counted by outcome and quarter hour (UTC) of their start: every
 * time zone's midnight falls on a quarter hour, so each quarter lies in one day or week of the
 * report's calendar. At most 4 × 24 × 366 × 3 rows whatever the number of conversations.
 */
export async function countOutcomesByQuarterHour(
  db: Db,
  tenantId: string,
  fromIso: string,
  toIso: string,
  cutoffIso: string,
): Promise<OutcomeCount[]> {
  const { rows } = await sql<{
    hour: string
    quarter: number | string
    outcome: string
    n: unknown
  }>`
    select hour, quarter, outcome, count(*) as n from (
      select substr(c.created_at, 1, 14) as hour,
        cast(substr(c.created_at, 15, 2) as integer) / 15 as quarter,
        ${outcomeSql(cutoffIso)} as outcome
      from conversations c
      where c.tenant_id = ${tenantId} and c.created_at >= ${fromIso} and c.created_at < ${toIso}
    ) s
    group by hour, quarter, outcome`.execute(db)
  return rows.map((r) => ({
    slot: `${r.hour}${String(Number(r.quarter) * 15).padStart(2, '0')}:00.000Z`,
    outcome: r.outcome as OutcomeCount['outcome'],
    n: Number(r.n),
  }))
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
  dialect: Dialect,
  tenantId: string,
  fromIso: string,
  toIso: string,
  limit: number,
): Promise<MissedQuestion[]> {
  // SQLite's planner prefers the index of every AI reply by time, then reads each row for its
  // metadata: 3–4 times slower on a million messages than the partial index of the flagged ones.
  const flagged = dialect === 'sqlite' ? sql.raw('indexed by messages_tenant_unanswered') : sql``
  const unanswered = sql<Omit<MissedQuestion, 'reason'>>`
    select q.id as question_id, q.conversation_id, q.body, q.created_at as asked_at
    from messages a ${flagged}
    join messages q on q.id = a.reply_to_id
    where a.tenant_id = ${tenantId} and a.sender_type = 'ai' and a.metadata like ${UNANSWERED}
      and a.created_at >= ${fromIso} and a.created_at < ${toIso} and q.tenant_id = ${tenantId}
    order by a.created_at desc
    limit ${limit}`.execute(db)
  const downvoted = db
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
  const [flaggedRows, downvotedRows] = await Promise.all([unanswered, downvoted])
  return [
    ...flaggedRows.rows.map((r) => ({ ...r, reason: 'no_answer' as const })),
    ...downvotedRows.map((r) => ({ ...r, reason: 'thumbs_down' as const })),
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
