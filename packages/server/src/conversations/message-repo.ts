import { SqliteAdapter } from 'kysely'
import { firstRow, prepare } from '../db/prepared.ts'
import type { Db } from '../db/schema.ts'
import type { MessageRow, SenderType } from './types.ts'

// The hot statements of every widget message are prepared (built and compiled once).

const insertMessageInto = (
  db: Db,
  id: string,
  tenantId: string,
  conversationId: string,
  threadId: string,
  senderType: string,
  body: string,
  sourceMessageId: string | null,
  replyToId: string | null,
  channel: string,
  metadata: string | null,
  createdAt: string,
) =>
  db.insertInto('messages').values({
    id,
    tenant_id: tenantId,
    conversation_id: conversationId,
    thread_id: threadId,
    sender_type: senderType,
    body,
    source_message_id: sourceMessageId,
    reply_to_id: replyToId,
    channel,
    metadata,
    created_at: createdAt,
  })

// PostgreSQL tells the new seq with RETURNING; SQLite's RETURNING doubles the cost of the
// insert (7 -> 14 us), its last insert rowid (= seq, the integer primary key) is free.
const insertReturningQuery = prepare((...args: Parameters<typeof insertMessageInto>) =>
  insertMessageInto(...args).returning('seq'),
)
const insertQuery = prepare(insertMessageInto)

/** Inserts a message; returns it with its `seq`. Unique violations (source id, reply) propagate. */
export async function insertMessage(db: Db, row: Omit<MessageRow, 'seq'>): Promise<MessageRow> {
  const args = [
    row.id,
    row.tenant_id,
    row.conversation_id,
    row.thread_id,
    row.sender_type,
    row.body,
    row.source_message_id,
    row.reply_to_id,
    row.channel,
    row.metadata,
    row.created_at,
  ] as const
  let seq: number | bigint | string | undefined
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    seq = (await insertQuery(db, ...args)).insertId
  } else {
    seq = firstRow(await insertReturningQuery(db, ...args))?.seq
  }
  if (seq === undefined) throw new Error('insert into messages told no seq')
  return { ...row, seq: Number(seq) }
}

const asRow = (r: Omit<MessageRow, 'seq'> & { seq: number | string | bigint }): MessageRow =>
  typeof r.seq === 'number' ? (r as MessageRow) : { ...r, seq: Number(r.seq) }

const byIdQuery = prepare((db: Db, tenantId: string, id: string) =>
  db.selectFrom('messages').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id),
)

export async function findMessageForTenant(
  db: Db,
  tenantId: string,
  id: string,
): Promise<MessageRow | undefined> {
  const r = firstRow(await byIdQuery(db, tenantId, id))
  return r && asRow(r)
}

const bySourceIdQuery = prepare((db: Db, tenantId: string, sourceMessageId: string) =>
  db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('source_message_id', '=', sourceMessageId),
)

/** The message a client sent with this idempotency key, if any. */
export async function findMessageBySourceId(
  db: Db,
  tenantId: string,
  sourceMessageId: string,
): Promise<MessageRow | undefined> {
  const r = firstRow(await bySourceIdQuery(db, tenantId, sourceMessageId))
  return r && asRow(r)
}

const replyToQuery = prepare((db: Db, tenantId: string, messageId: string) =>
  db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('reply_to_id', '=', messageId),
)

/** The stored reply to a visitor message (at most one: `reply_to_id` is unique). */
export async function findReplyTo(
  db: Db,
  tenantId: string,
  messageId: string,
): Promise<MessageRow | undefined> {
  const r = firstRow(await replyToQuery(db, tenantId, messageId))
  return r && asRow(r)
}

/**
 * The last `limit` messages of a conversation (all threads, chat and voice), oldest first;
 * with `uptoSeq`, only messages stored up to and including that one.
 */
export async function listConversationMessages(
  db: Db,
  tenantId: string,
  conversationId: string,
  opts: { limit: number; uptoSeq?: number },
): Promise<MessageRow[]> {
  let q = db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', '=', conversationId)
  if (opts.uptoSeq !== undefined) q = q.where('seq', '<=', opts.uptoSeq)
  const rows = await q.orderBy('seq', 'desc').limit(opts.limit).execute()
  return rows.map((r) => ({ ...r, seq: Number(r.seq) })).reverse()
}

/** What the agent sees of a stored message. */
export type TurnRow = Pick<MessageRow, 'sender_type' | 'body' | 'channel' | 'created_at'>

const turnsQuery = prepare(
  (db: Db, tenantId: string, conversationId: string, uptoSeq: number, limit: number) =>
    db
      .selectFrom('messages')
      .select(['sender_type', 'body', 'channel', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .where('seq', '<=', uptoSeq)
      .orderBy('seq', 'desc')
      .limit(limit),
)

/**
 * The last `limit` messages of a conversation up to and including `uptoSeq` (all threads, chat
 * and voice), oldest first, with only what the agent reads of them.
 */
export async function listConversationTurns(
  db: Db,
  tenantId: string,
  conversationId: string,
  uptoSeq: number,
  limit: number,
): Promise<TurnRow[]> {
  return (await turnsQuery(db, tenantId, conversationId, uptoSeq, limit)).rows.reverse()
}

const hasSenderQuery = prepare(
  (db: Db, tenantId: string, conversationId: string, senderType: string) =>
    db
      .selectFrom('messages')
      .select('seq')
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conversationId)
      .where('sender_type', '=', senderType)
      .limit(1),
)

/** Whether the conversation has a message of this sender type (stops at the first one). */
export async function hasConversationMessageFrom(
  db: Db,
  tenantId: string,
  conversationId: string,
  senderType: SenderType,
): Promise<boolean> {
  return (await hasSenderQuery(db, tenantId, conversationId, senderType)).rows.length > 0
}
