import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../schema.ts'

// The patterns of analytics/analytics-repo.ts: an AI reply that cited knowledge (an answer), and
// one flagged unanswered.
const CITED = `'%"sources":[{%'`
const UNANSWERED = `'%"unanswered":true%'`

/**
 * The SET list that folds `new` (the inserted message) into its conversation's figures (exported
 * for 0034, which recreates the trigger with one more column).
 */
export function foldNewMessage(): string {
  const answer = `new.sender_type = 'ai' and coalesce(new.metadata, '') like ${CITED}`
  const later = (col: string) => `new.seq > coalesce(${col}, -1)`
  const lastSeq = (col: string, cond: string) =>
    `${col} = case when ${cond} and ${later(col)} then new.seq else ${col} end`
  return [
    `stat_answers = stat_answers + case when ${answer} then 1 else 0 end`,
    `stat_last_answer_id = case when ${answer} and ${later('stat_last_answer_seq')} then new.id else stat_last_answer_id end`,
    // A new last answer has no vote yet.
    `stat_last_answer_rating = case when ${answer} and ${later('stat_last_answer_seq')} then null else stat_last_answer_rating end`,
    lastSeq('stat_last_answer_seq', answer),
    lastSeq(
      'stat_last_unanswered_seq',
      `new.sender_type = 'ai' and coalesce(new.metadata, '') like ${UNANSWERED}`,
    ),
    lastSeq('stat_last_visitor_seq', `new.sender_type = 'contact'`),
    lastSeq('stat_last_ai_seq', `new.sender_type = 'ai'`),
    `stat_person_messages = stat_person_messages + case when new.sender_type = 'agent' and new.private = 0 then 1 else 0 end`,
    `stat_first_visitor_at = case when new.sender_type = 'contact' and (stat_first_visitor_at is null or new.created_at < stat_first_visitor_at) then new.created_at else stat_first_visitor_at end`,
    `stat_first_ai_at = case when new.sender_type = 'ai' and (stat_first_ai_at is null or new.created_at < stat_first_ai_at) then new.created_at else stat_first_ai_at end`,
    `stat_last_message_at = case when stat_last_message_at is null or new.created_at > stat_last_message_at then new.created_at else stat_last_message_at end`,
  ].join(',\n      ')
}

/**
 * PostgreSQL: the function behind the `messages_conversation_stats` trigger, applying `set` to
 * the message's conversation (`or replace`: for migrations that change it, 0034).
 */
export function messagesStatsFunction(set: string, replace = false): string {
  // `set search_path from current`: the function reads this schema's tables whoever inserts.
  return `create ${replace ? 'or replace ' : ''}function messages_conversation_stats() returns trigger
      language plpgsql set search_path from current as $$
    begin
      update conversations set
      ${set}
      where id = new.conversation_id;
      return null;
    end $$`
}

/** SQLite: the `messages_conversation_stats` trigger, applying `set` to the conversation. */
export function messagesStatsSqliteTrigger(set: string): string {
  return `create trigger messages_conversation_stats after insert on messages
      for each row begin
        update conversations set
        ${set}
        where id = new.conversation_id;
      end`
}

/**
 * What the analytics need of a conversation's messages and votes, kept on the conversation as they arrive
 * (issue 21: the overview fast on a million messages). Before, the overview grouped every message
 * of the period's conversations per request: 3.6 s on SQLite and 4.9 s on PostgreSQL over a
 * million messages (`npm run bench -- --only=analytics`). Now it reads one row per conversation.
 *
 * A trigger after each message insert folds the message in, in the insert's own transaction, so
 * no write path can forget it (messages are never updated; they go only with their conversation);
 * one after each vote (new or changed) records it when it is on the last answer.
 * Existing conversations are filled from their messages here. The figures are exactly those the
 * overview grouped before: cited answers (count, last one's seq, id and vote), the last unanswered,
 * visitor and AI seqs, people's non-private replies, the first visitor and AI message times and
 * the last message time. A later migration that rebuilds `messages` on SQLite must recreate the
 * trigger.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const seqType = dialect === 'postgres' ? 'bigint' : 'integer'
  for (const [name, type, notNull] of [
    ['stat_answers', 'integer', true],
    ['stat_last_answer_seq', seqType, false],
    ['stat_last_answer_id', 'text', false],
    ['stat_last_answer_rating', 'text', false],
    ['stat_last_unanswered_seq', seqType, false],
    ['stat_last_visitor_seq', seqType, false],
    ['stat_last_ai_seq', seqType, false],
    ['stat_person_messages', 'integer', true],
    ['stat_first_visitor_at', 'text', false],
    ['stat_first_ai_at', 'text', false],
    ['stat_last_message_at', 'text', false],
  ] as const) {
    await db.schema
      .alterTable('conversations')
      .addColumn(name, sql.raw(type), (c) => (notNull ? c.notNull().defaultTo(0) : c))
      .execute()
  }

  const fold = foldNewMessage()
  // A vote (or a changed one) on the conversation's last answer.
  const vote = `update conversations set stat_last_answer_rating = new.rating
    where id = new.conversation_id and stat_last_answer_id = new.message_id`
  if (dialect === 'postgres') {
    await sql
      .raw(`create function message_feedback_conversation_stats() returns trigger
      language plpgsql set search_path from current as $$
    begin
      ${vote};
      return null;
    end $$`)
      .execute(db)
    await sql`create trigger message_feedback_conversation_stats
      after insert or update of rating on message_feedback
      for each row execute function message_feedback_conversation_stats()`.execute(db)
  } else {
    for (const event of ['insert', 'update of rating'])
      await sql
        .raw(`create trigger "message_feedback_stats_${event.split(' ')[0]}"
        after ${event} on message_feedback
        for each row begin ${vote}; end`)
        .execute(db)
  }
  if (dialect === 'postgres') {
    await sql.raw(messagesStatsFunction(fold)).execute(db)
    await sql`create trigger messages_conversation_stats after insert on messages
      for each row execute function messages_conversation_stats()`.execute(db)
  } else {
    await sql.raw(messagesStatsSqliteTrigger(fold)).execute(db)
  }

  // Existing conversations, from their messages.
  const answer = `m.sender_type = 'ai' and m.metadata like ${CITED}`
  await sql
    .raw(`update conversations set
      stat_answers = s.answers,
      stat_last_answer_seq = s.last_answer_seq,
      stat_last_unanswered_seq = s.last_unanswered_seq,
      stat_last_visitor_seq = s.last_visitor_seq,
      stat_last_ai_seq = s.last_ai_seq,
      stat_person_messages = s.person_messages,
      stat_first_visitor_at = s.first_visitor_at,
      stat_first_ai_at = s.first_ai_at,
      stat_last_message_at = s.last_message_at
    from (
      select m.conversation_id,
        sum(case when ${answer} then 1 else 0 end) as answers,
        max(case when ${answer} then m.seq end) as last_answer_seq,
        max(case when m.sender_type = 'ai' and m.metadata like ${UNANSWERED} then m.seq end) as last_unanswered_seq,
        max(case when m.sender_type = 'contact' then m.seq end) as last_visitor_seq,
        max(case when m.sender_type = 'ai' then m.seq end) as last_ai_seq,
        sum(case when m.sender_type = 'agent' and m.private = 0 then 1 else 0 end) as person_messages,
        min(case when m.sender_type = 'contact' then m.created_at end) as first_visitor_at,
        min(case when m.sender_type = 'ai' then m.created_at end) as first_ai_at,
        max(m.created_at) as last_message_at
      from messages m
      group by m.conversation_id
    ) s
    where s.conversation_id = conversations.id`)
    .execute(db)
  await sql`update conversations
    set stat_last_answer_id = (select m.id from messages m where m.seq = conversations.stat_last_answer_seq)
    where stat_last_answer_seq is not null`.execute(db)
  await sql`update conversations
    set stat_last_answer_rating = (select f.rating from message_feedback f
      where f.message_id = conversations.stat_last_answer_id)
    where stat_last_answer_id is not null`.execute(db)
}
