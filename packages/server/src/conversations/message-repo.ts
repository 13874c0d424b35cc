import { firstRow, prepare, prepareInsert } from '../db/prepared.ts'
import type { Db } from '../db/schema.ts'
import type { MessageRow, SenderType } from './types.ts'

// The hot statements of every widget message are prepared (built and compiled once).

const insertQuery = prepareInsert(
  (db: Db, row: Omit<MessageRow, 'seq'>) =>
    db.insertInto('messages').values({
      id: row.id,
      tenant_id: row.tenant_id,
      conversation_id: row.conversation_id,
      thread_id: row.thread_id,
      sender_type: row.sender_type,
      body: row.body,
      source_message_id: row.source_message_id,
      reply_to_id: row.reply_to_id,
      channel: row.channel,
      metadata: row.metadata,
      private: row.private,
      author_user_id: row.author_user_id,
      created_at: row.created_at,
    }),
  'seq',
)

/** Inserts a message; returns it with its `seq`. Unique violations (source id, reply) propagate. */
export async function insertMessage(db: Db, row: Omit<MessageRow, 'seq'>): Promise<MessageRow> {
  // Compiled once with placeholders: absent columns must be given their values here.
  const full = { ...row, private: row.private ?? 0, author_user_id: row.author_user_id ?? null }
  return { ...full, seq: await insertQuery(db, full) }
}

const asRow = (r: Omit<MessageRow, 'seq'> & { seq: number | string | bigint }): MessageRow =>
  typeof r.seq === 'number' ? (r as MessageRow) : { ...r, seq: Number(r.seq) }

const byIdQuery = prepare((db: Db, p: { tenantId: string; id: string }) =>
  db.selectFrom('messages').selectAll().where('tenant_id', '=', p.tenantId).where('id', '=', p.id),
)

/** The tenant's message with this id; another tenant's id is a miss. */
export async function findMessageForTenant(
  db: Db,
  tenantId: string,
  id: string,
): Promise<MessageRow | undefined> {
  const r = firstRow(await byIdQuery(db, { tenantId, id }))
  return r && asRow(r)
}

const bySourceIdQuery = prepare((db: Db, p: { tenantId: string; sourceMessageId: string }) =>
  db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', p.tenantId)
    .where('source_message_id', '=', p.sourceMessageId),
)

/** The message a client sent with this idempotency key, if any. */
export async function findMessageBySourceId(
  db: Db,
  tenantId: string,
  sourceMessageId: string,
): Promise<MessageRow | undefined> {
  const r = firstRow(await bySourceIdQuery(db, { tenantId, sourceMessageId }))
  return r && asRow(r)
}

const replyToQuery = prepare((db: Db, p: { tenantId: string; messageId: string }) =>
  db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', p.tenantId)
    .where('reply_to_id', '=', p.messageId),
)

/** The stored reply to a visitor message (at most one: `reply_to_id` is unique). */
export async function findReplyTo(
  db: Db,
  tenantId: string,
  messageId: string,
): Promise<MessageRow | undefined> {
  const r = firstRow(await replyToQuery(db, { tenantId, messageId }))
  return r && asRow(r)
}

/**
 * The last `limit` messages of a conversation the visitor may see (all threads, chat and voice;
 * never the team's private notes), oldest first; with `uptoSeq`, only messages stored up to and
 * including that one.
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
    .where('private', '=', 0)
  if (opts.uptoSeq !== undefined) q = q.where('seq', '<=', opts.uptoSeq)
  const rows = await q.orderBy('seq', 'desc').limit(opts.limit).execute()
  return rows.map((r) => ({ ...r, seq: Number(r.seq) })).reverse()
}

/** What the agent sees of a stored message. */
export type TurnRow = Pick<
  MessageRow,
  'sender_type' | 'body' | 'channel' | 'created_at' | 'metadata'
>

const turnsQuery = prepare(
  (db: Db, p: { tenantId: string; conversationId: string; uptoSeq: number; limit: number }) =>
    db
      .selectFrom('messages')
      .select(['sender_type', 'body', 'channel', 'created_at', 'metadata'])
      .where('tenant_id', '=', p.tenantId)
      .where('conversation_id', '=', p.conversationId)
      .where('seq', '<=', p.uptoSeq)
      .where('private', '=', 0)
      .orderBy('seq', 'desc')
      .limit(p.limit),
)

/**
 * The last `limit` messages of a conversation up to and including `uptoSeq` (all threads, chat
 * and voice; never private notes), oldest first, with only what the agent reads of them.
 */
export async function listConversationTurns(
  db: Db,
  tenantId: string,
  conversationId: string,
  uptoSeq: number,
  limit: number,
): Promise<TurnRow[]> {
  return (await turnsQuery(db, { tenantId, conversationId, uptoSeq, limit })).rows.reverse()
}

const hasSenderQuery = prepare(
  (db: Db, p: { tenantId: string; conversationId: string; senderType: string }) =>
    db
      .selectFrom('messages')
      .select('seq')
      .where('tenant_id', '=', p.tenantId)
      .where('conversation_id', '=', p.conversationId)
      .where('sender_type', '=', p.senderType)
      .limit(1),
)

/** Whether the conversation has a message of this sender type (stops at the first one). */
export async function hasConversationMessageFrom(
  db: Db,
  tenantId: string,
  conversationId: string,
  senderType: SenderType,
): Promise<boolean> {
  return (await hasSenderQuery(db, { tenantId, conversationId, senderType })).rows.length > 0
}
