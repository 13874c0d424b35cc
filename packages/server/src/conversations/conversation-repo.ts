import type { Db } from '../db/schema.ts'
import type { ConversationRow, ThreadRow } from './types.ts'

/** The tenant's conversation with this id; another tenant's id is a miss. */
export async function findConversationForTenant(
  db: Db,
  tenantId: string,
  id: string,
): Promise<ConversationRow | undefined> {
  return db
    .selectFrom('conversations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function insertConversation(db: Db, row: ConversationRow): Promise<void> {
  await db.insertInto('conversations').values(row).execute()
}

export async function updateConversation(
  db: Db,
  tenantId: string,
  id: string,
  patch: Partial<
    Pick<ConversationRow, 'contact_id' | 'contact_verified' | 'subject' | 'status' | 'updated_at'>
  >,
): Promise<void> {
  await db
    .updateTable('conversations')
    .set(patch)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute()
}

/**
 * Conversations of a contact that the contact proved (email token), newest activity first.
 * Unverified conversations (a mere `sender_email`) are left out on purpose.
 */
export async function listVerifiedConversationsOfContact(
  db: Db,
  tenantId: string,
  contactId: string,
  limit: number,
): Promise<ConversationRow[]> {
  return (
    db
      .selectFrom('conversations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('contact_id', '=', contactId)
      .where('contact_verified', '=', 1)
      .orderBy('updated_at', 'desc')
      // Same millisecond: the conversation with the latest message wins (seq is monotonic).
      .orderBy(
        (eb) =>
          eb
            .selectFrom('messages')
            .select((m) => m.fn.max('messages.seq').as('last'))
            .whereRef('messages.conversation_id', '=', 'conversations.id'),
        'desc',
      )
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
  )
}

export async function findThreadForTenant(
  db: Db,
  tenantId: string,
  id: string,
): Promise<ThreadRow | undefined> {
  return db
    .selectFrom('threads')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst()
}

/** The tenant's thread whose id (`thread_…`) or client-chosen `source_thread_id` is `ref`. */
export async function findThreadByRef(
  db: Db,
  tenantId: string,
  ref: string,
): Promise<ThreadRow | undefined> {
  if (ref.startsWith('thread_')) {
    const byId = await findThreadForTenant(db, tenantId, ref)
    if (byId) return byId
  }
  return db
    .selectFrom('threads')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('source_thread_id', '=', ref)
    .executeTakeFirst()
}

export async function insertThread(db: Db, row: ThreadRow): Promise<void> {
  await db.insertInto('threads').values(row).execute()
}

/** Threads of a conversation, oldest first (the first is the one the widget continues). */
export async function listThreadsOfConversation(
  db: Db,
  tenantId: string,
  conversationId: string,
): Promise<ThreadRow[]> {
  return db
    .selectFrom('threads')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', '=', conversationId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}
