import type { ConversationAssignee } from '@aurion/contract'
import type { Db } from '../db/schema.ts'

/** A console user of the tenant as an assignee (another tenant's id or email is a miss). */
export async function findTenantUser(
  db: Db,
  tenantId: string,
  by: { id: string } | { email: string },
): Promise<NonNullable<ConversationAssignee> | undefined> {
  let q = db
    .selectFrom('admin_users')
    .select(['id', 'email', 'name'])
    .where('tenant_id', '=', tenantId)
  q = 'id' in by ? q.where('id', '=', by.id) : q.where('email', '=', by.email.trim().toLowerCase())
  return q.executeTakeFirst()
}

/**
 * Records a person's first reply to the visitor after the conversation's latest hand-off (only
 * the first: the update matches while `first_human_reply_at` is null). Returns whether this was it.
 */
export async function markFirstHumanReply(
  db: Db,
  tenantId: string,
  conversationId: string,
  at: string,
  userId: string | null,
): Promise<boolean> {
  const r = await db
    .updateTable('conversations')
    .set({ first_human_reply_at: at, first_human_reply_user_id: userId })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', conversationId)
    .where('handoff_requested_at', 'is not', null)
    .where('first_human_reply_at', 'is', null)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}

/** What a new hand-off sets: a person handles it, open, its time and reason, no first reply yet. */
export function handoffColumns(at: string, reason: string) {
  return {
    handled_by: 'human',
    status: 'open',
    handoff_requested_at: at,
    handoff_reason: reason,
    first_human_reply_at: null,
    first_human_reply_user_id: null,
    updated_at: at,
  } as const
}

/** Starts a new hand-off: its time and reason, and no first reply yet. */
export async function recordHandoff(
  db: Db,
  tenantId: string,
  conversationId: string,
  at: string,
  reason: string,
  extra: { assignee_user_id?: string | null } = {},
): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ ...handoffColumns(at, reason), ...extra })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', conversationId)
    .execute()
}

/** The latest messages of a conversation after `afterSeq` that the visitor may see (no notes). */
export async function listVisibleMessagesAfter(
  db: Db,
  tenantId: string,
  conversationId: string,
  afterSeq: number,
  limit: number,
) {
  const rows = await db
    .selectFrom('messages as m')
    .leftJoin('admin_users as a', (j) =>
      j.onRef('a.id', '=', 'm.author_user_id').onRef('a.tenant_id', '=', 'm.tenant_id'),
    )
    .selectAll('m')
    .select(['a.name as author_name', 'a.email as author_email'])
    .where('m.tenant_id', '=', tenantId)
    .where('m.conversation_id', '=', conversationId)
    .where('m.private', '=', 0)
    .where('m.seq', '>', afterSeq)
    .orderBy('m.seq', 'asc')
    .limit(limit)
    .execute()
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }))
}

/** The assistant's latest reply in a conversation before the message `beforeSeq`. */
export async function findPreviousAssistantReply(
  db: Db,
  tenantId: string,
  conversationId: string,
  beforeSeq: number,
): Promise<{ metadata: string | null } | undefined> {
  return db
    .selectFrom('messages')
    .select('metadata')
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', '=', conversationId)
    .where('sender_type', '=', 'ai')
    .where('seq', '<', beforeSeq)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst()
}
