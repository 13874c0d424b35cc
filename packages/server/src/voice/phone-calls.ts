import { isE164, translate } from '@aurion/contract'
import { insertConversation, insertThread } from '../conversations/conversation-repo.ts'
import { retryOnUniqueViolation } from '../conversations/db-errors.ts'
import type { ConversationRow, TenantAccess, ThreadRow } from '../conversations/types.ts'
import { ownershipOfNew } from '../conversations/visitor-access.ts'
import type { Db } from '../db/schema.ts'
import { newId, nowIso } from '../ids.ts'
import { findPhoneLine } from './phone-line-repo.ts'

/** What the voice agent needs to answer a phone call. */
export interface PhoneCallStart {
  conversationId: string
  threadId: string
  contactId: string
  /** The caller's open conversation was continued (else a new one was started). */
  resumed: boolean
  /** What to say on picking up: the line's greeting, else the widget's welcome text. */
  greeting: string
  /** Where to transfer a caller who asks for a person; null when nobody is set. */
  transferTo: string | null
}

/** The tenant's contact for a caller's number, made on the first call from it. */
async function contactForNumber(db: Db, tenantId: string, phone: string): Promise<string> {
  const find = () =>
    db
      .selectFrom('contacts')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('phone', '=', phone)
      .executeTakeFirst()
  const found = await find()
  if (found) return found.id
  const now = nowIso()
  await db
    .insertInto('contacts')
    .values({
      id: newId('contact'),
      tenant_id: tenantId,
      email: null,
      name: null,
      phone,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'phone']).where('phone', 'is not', null).doNothing(),
    )
    .execute()
  const made = await find()
  if (!made) throw new Error('contact vanished right after its insert')
  return made.id
}

async function anonymousContact(db: Db, tenantId: string): Promise<string> {
  const now = nowIso()
  const id = newId('contact')
  await db
    .insertInto('contacts')
    .values({ id, tenant_id: tenantId, email: null, name: null, created_at: now, updated_at: now })
    .execute()
  return id
}

/**
 * A phone call starts: the caller is identified by their number (a contact of its own, never
 * merged with an email contact by guesswork) and their open conversation continues, with its
 * first thread; without one (or when the number is withheld) a new conversation starts.
 */
export async function startPhoneCall(
  ctx: { db: Db },
  access: TenantAccess,
  input: { callerNumber: string | null; locale?: string | undefined },
): Promise<PhoneCallStart> {
  const tenantId = access.tenant.id
  const number =
    input.callerNumber !== null && isE164(input.callerNumber) ? input.callerNumber : null
  const line = await findPhoneLine(ctx.db, tenantId)
  const located = await retryOnUniqueViolation(5, () =>
    ctx.db.transaction().execute(async (trx) => {
      const contactId =
        number === null
          ? await anonymousContact(trx, tenantId)
          : await contactForNumber(trx, tenantId, number)
      const open =
        number === null
          ? undefined
          : await trx
              .selectFrom('conversations')
              .innerJoin('threads', 'threads.conversation_id', 'conversations.id')
              .select(['conversations.id as conversation_id', 'threads.id as thread_id'])
              .where('conversations.tenant_id', '=', tenantId)
              .where('conversations.contact_id', '=', contactId)
              .where('conversations.status', '=', 'open')
              .orderBy('conversations.updated_at', 'desc')
              .orderBy('threads.created_at', 'asc')
              .executeTakeFirst()
      if (open) {
        await trx
          .updateTable('conversations')
          .set({ updated_at: nowIso() })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', open.conversation_id)
          .execute()
        return {
          contactId,
          conversationId: open.conversation_id,
          threadId: open.thread_id,
          resumed: true,
        }
      }
      const now = nowIso()
      const conversation: ConversationRow = {
        id: newId('conv'),
        tenant_id: tenantId,
        contact_id: contactId,
        subject: number === null ? 'Phone call' : `Phone call from ${number}`,
        status: 'open',
        ...ownershipOfNew({}),
        created_at: now,
        updated_at: now,
      }
      await insertConversation(trx, conversation)
      const thread: ThreadRow = {
        id: newId('thread'),
        tenant_id: tenantId,
        conversation_id: conversation.id,
        source_thread_id: null,
        created_at: now,
      }
      await insertThread(trx, thread)
      return { contactId, conversationId: conversation.id, threadId: thread.id, resumed: false }
    }),
  )
  const { config } = access
  return {
    ...located,
    greeting:
      line.greeting ??
      translate(config.welcome_text, config.welcome_text_translations, input.locale) ??
      'Hello, how can I help you today?',
    transferTo: line.transferTo,
  }
}
