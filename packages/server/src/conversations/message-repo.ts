import type { Db } from '../db/schema.ts'
import type { MessageRow, SenderType } from './types.ts'

const byTenant = (db: Db, tenantId: string) =>
  db.selectFrom('messages').selectAll().where('tenant_id', '=', tenantId)

/** Inserts a message; returns it with its `seq`. Unique violations (source id, reply) propagate. */
export async function insertMessage(db: Db, row: Omit<MessageRow, 'seq'>): Promise<MessageRow> {
  const { seq } = await db
    .insertInto('messages')
    .values(row)
    .returning('seq')
    .executeTakeFirstOrThrow()
  return { ...row, seq: Number(seq) }
}

export async function findMessageForTenant(
  db: Db,
  tenantId: string,
  id: string,
): Promise<MessageRow | undefined> {
  return byTenant(db, tenantId).where('id', '=', id).executeTakeFirst()
}

/** The message a client sent with this idempotency key, if any. */
export async function findMessageBySourceId(
  db: Db,
  tenantId: string,
  sourceMessageId: string,
): Promise<MessageRow | undefined> {
  return byTenant(db, tenantId).where('source_message_id', '=', sourceMessageId).executeTakeFirst()
}

/** The stored reply to a visitor message (at most one: `reply_to_id` is unique). */
export async function findReplyTo(
  db: Db,
  tenantId: string,
  messageId: string,
): Promise<MessageRow | undefined> {
  return byTenant(db, tenantId).where('reply_to_id', '=', messageId).executeTakeFirst()
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
  let q = byTenant(db, tenantId).where('conversation_id', '=', conversationId)
  if (opts.uptoSeq !== undefined) q = q.where('seq', '<=', opts.uptoSeq)
  const rows = await q.orderBy('seq', 'desc').limit(opts.limit).execute()
  return rows.map((r) => ({ ...r, seq: Number(r.seq) })).reverse()
}

/** How many messages of this sender type the conversation has. */
export async function countConversationMessages(
  db: Db,
  tenantId: string,
  conversationId: string,
  senderType: SenderType,
): Promise<number> {
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', '=', conversationId)
    .where('sender_type', '=', senderType)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
