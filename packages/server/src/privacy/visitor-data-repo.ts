import type { Db } from '../db/schema.ts'

/** The rows that hold a visitor's data, found by email. */
export interface VisitorDataIds {
  contactIds: string[]
  conversationIds: string[]
  /** Email tokens that had a code mailed for this email (their conversations are the email's too). */
  tokenIds: string[]
}

/**
 * Everything stored under `email` (lower-cased) in a tenant: its contacts, the conversations
 * filed under them, those that claimed the email, and those of the email's tokens.
 */
export async function findVisitorDataIds(
  db: Db,
  tenantId: string,
  email: string,
): Promise<VisitorDataIds> {
  const contactIds = (
    await db
      .selectFrom('contacts')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('email', '=', email)
      .execute()
  ).map((r) => r.id)
  const tokenIds = (
    await db
      .selectFrom('visitor_email_codes')
      .select('token_id')
      .where('tenant_id', '=', tenantId)
      .where('email', '=', email)
      .execute()
  ).map((r) => r.token_id)
  const conversationIds = (
    await db
      .selectFrom('conversations')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where((eb) =>
        eb.or([
          eb('claimed_email', '=', email),
          ...(contactIds.length > 0 ? [eb('contact_id', 'in', contactIds)] : []),
          ...(tokenIds.length > 0 ? [eb('owner_token_id', 'in', tokenIds)] : []),
        ]),
      )
      .orderBy('created_at')
      .execute()
  ).map((r) => r.id)
  return { contactIds, conversationIds, tokenIds }
}

/** Number of messages, and of their attachments, in these conversations. */
export async function countConversationContent(
  db: Db,
  tenantId: string,
  conversationIds: string[],
): Promise<{ messages: number; uploads: number }> {
  if (conversationIds.length === 0) return { messages: 0, uploads: 0 }
  const m = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('conversation_id', 'in', conversationIds)
    .executeTakeFirstOrThrow()
  const u = await db
    .selectFrom('uploads')
    .innerJoin('messages', 'messages.id', 'uploads.message_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('messages.tenant_id', '=', tenantId)
    .where('messages.conversation_id', 'in', conversationIds)
    .executeTakeFirstOrThrow()
  return { messages: Number(m.n), uploads: Number(u.n) }
}

/**
 * Deletes conversations with everything hanging off them: threads and messages go by cascade,
 * attachments by the messages' trigger (migration 0008).
 */
export async function deleteConversations(
  db: Db,
  tenantId: string,
  conversationIds: string[],
): Promise<number> {
  if (conversationIds.length === 0) return 0
  const res = await db
    .deleteFrom('conversations')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', conversationIds)
    .executeTakeFirst()
  return Number(res.numDeletedRows)
}
