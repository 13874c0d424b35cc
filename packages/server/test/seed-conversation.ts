import type { Insertable } from 'kysely'
import type { ConversationsTable, Db } from '../src/db/schema.ts'
import { newId } from '../src/ids.ts'

/**
 * Stores a conversation (`row`, under a new id) and its one thread, created with it, straight in
 * the database: for tests that need a past the services would not write. Returns both ids.
 */
export async function insertConversation(
  db: Db,
  row: Omit<Insertable<ConversationsTable>, 'id'>,
): Promise<{ id: string; threadId: string }> {
  const id = newId('conv')
  const threadId = newId('thread')
  await db
    .insertInto('conversations')
    .values({ id, ...row })
    .execute()
  await db
    .insertInto('threads')
    .values({
      id: threadId,
      tenant_id: row.tenant_id,
      conversation_id: id,
      source_thread_id: null,
      created_at: row.created_at,
    })
    .execute()
  return { id, threadId }
}
