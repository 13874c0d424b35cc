import { sql } from 'kysely'
import type { Db } from '../db/schema.ts'
import { invalidField } from '../errors.ts'
import { newId, nowIso } from '../ids.ts'

/** The conversation and thread a voice session belongs to (shared with chat). */
export interface VoiceConversation {
  conversationId: string
  threadId: string
  contactId: string | null
}

/** Subject of a conversation that starts with a call (chat replaces nothing: it is a label). */
export const VOICE_SUBJECT = 'Voice call'

/** The id of this tenant's contact with that email (case-insensitive), or undefined. */
export async function findContactIdByEmail(
  db: Db,
  tenantId: string,
  email: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('contacts')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst()
  return row?.id
}

/**
 * Finds the conversation a call continues, or starts one, so voice and chat share ONE
 * conversation:
 * - `conversationId`: that conversation of this tenant (422 naming it when unknown), on the
 *   thread named by `sourceThreadId` or else its latest thread;
 * - `sourceThreadId` alone: the thread with that client id, created (with its conversation)
 *   when new — safe under concurrent requests thanks to the (tenant, source_thread_id) key;
 * - neither: a new conversation and thread.
 * A new conversation is linked to `contactId` when given.
 */
export async function openVoiceConversation(
  db: Db,
  input: {
    tenantId: string
    conversationId?: string | undefined
    sourceThreadId?: string | undefined
    contactId?: string | null | undefined
  },
): Promise<VoiceConversation> {
  const { tenantId } = input
  if (input.conversationId !== undefined) {
    const conv = await db
      .selectFrom('conversations')
      .select(['id', 'contact_id'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', input.conversationId)
      .executeTakeFirst()
    if (conv === undefined) {
      throw invalidField(['body', 'conversation_id'], 'Unknown conversation')
    }
    let thread = db
      .selectFrom('threads')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', conv.id)
    thread =
      input.sourceThreadId !== undefined
        ? thread.where('source_thread_id', '=', input.sourceThreadId)
        : thread.orderBy('created_at', 'desc').orderBy('id', 'desc')
    const t = await thread.limit(1).executeTakeFirst()
    if (t === undefined) {
      if (input.sourceThreadId !== undefined) {
        throw invalidField(
          ['body', 'source_thread_id'],
          'This thread does not belong to the conversation',
        )
      }
      return {
        conversationId: conv.id,
        ...(await insertThread(db, tenantId, conv.id, null)),
        contactId: conv.contact_id,
      }
    }
    return { conversationId: conv.id, threadId: t.id, contactId: conv.contact_id }
  }

  if (input.sourceThreadId !== undefined) {
    const existing = await findBySourceThread(db, tenantId, input.sourceThreadId)
    if (existing !== undefined) return existing
    try {
      return await db.transaction().execute(async (trx) => {
        const conversationId = await insertConversation(trx, tenantId, input.contactId ?? null)
        const { threadId } = await insertThread(
          trx,
          tenantId,
          conversationId,
          input.sourceThreadId!,
        )
        return { conversationId, threadId, contactId: input.contactId ?? null }
      })
    } catch (err) {
      // A concurrent request created the thread first: continue the conversation it made.
      const raced = await findBySourceThread(db, tenantId, input.sourceThreadId)
      if (raced !== undefined) return raced
      throw err
    }
  }

  return db.transaction().execute(async (trx) => {
    const conversationId = await insertConversation(trx, tenantId, input.contactId ?? null)
    const { threadId } = await insertThread(trx, tenantId, conversationId, null)
    return { conversationId, threadId, contactId: input.contactId ?? null }
  })
}

async function findBySourceThread(
  db: Db,
  tenantId: string,
  sourceThreadId: string,
): Promise<VoiceConversation | undefined> {
  const row = await db
    .selectFrom('threads')
    .innerJoin('conversations', 'conversations.id', 'threads.conversation_id')
    .select([
      'threads.id as thread_id',
      'conversations.id as conversation_id',
      'conversations.contact_id',
    ])
    .where('threads.tenant_id', '=', tenantId)
    .where('threads.source_thread_id', '=', sourceThreadId)
    .executeTakeFirst()
  return row === undefined
    ? undefined
    : { conversationId: row.conversation_id, threadId: row.thread_id, contactId: row.contact_id }
}

async function insertConversation(
  db: Db,
  tenantId: string,
  contactId: string | null,
): Promise<string> {
  const id = newId('conv')
  const now = nowIso()
  await db
    .insertInto('conversations')
    .values({
      id,
      tenant_id: tenantId,
      contact_id: contactId,
      subject: VOICE_SUBJECT,
      status: 'open',
      created_at: now,
      updated_at: now,
    })
    .execute()
  return id
}

async function insertThread(
  db: Db,
  tenantId: string,
  conversationId: string,
  sourceThreadId: string | null,
): Promise<{ threadId: string }> {
  const id = newId('thread')
  await db
    .insertInto('threads')
    .values({
      id,
      tenant_id: tenantId,
      conversation_id: conversationId,
      source_thread_id: sourceThreadId,
      created_at: nowIso(),
    })
    .execute()
  return { threadId: id }
}
