import type { HistoryConversation, WidgetHistoryResponse } from '@aurion/contract'
import type { Db } from '../db/schema.ts'
import { findContactByEmail } from '../visitors/contact-repo.ts'
import {
  listThreadsOfConversation,
  listVerifiedConversationsOfContact,
} from './conversation-repo.ts'
import { toApiTimestamp } from './frames.ts'
import { listConversationMessages } from './message-repo.ts'
import { attachmentsOf } from './message-service.ts'

/**
 * A visitor's history for `/widget/history`: the conversations proven with an email token for
 * this (lower-cased) email, newest activity first, each with its last `messageLimit` messages in
 * order — the visitor's, the assistant's and human agents'. Conversations that merely asserted
 * the email (`sender_email` without a token) are not included.
 */
export async function listVisitorHistory(
  db: Db,
  tenantId: string,
  email: string,
  limits: { conversationLimit: number; messageLimit: number },
): Promise<WidgetHistoryResponse> {
  const out: WidgetHistoryResponse = { tenant_id: tenantId, email, conversations: [] }
  const contact = await findContactByEmail(db, tenantId, email)
  if (!contact) return out
  const conversations = await listVerifiedConversationsOfContact(
    db,
    tenantId,
    contact.id,
    limits.conversationLimit,
  )
  out.conversations = await Promise.all(
    conversations.map(async (c): Promise<HistoryConversation> => {
      const [threads, messages] = await Promise.all([
        listThreadsOfConversation(db, tenantId, c.id),
        listConversationMessages(db, tenantId, c.id, { limit: limits.messageLimit }),
      ])
      const attachments = await attachmentsOf(
        db,
        tenantId,
        messages.map((m) => m.id),
      )
      return {
        conversation_id: c.id,
        thread_id: threads[0]?.id ?? '',
        subject: c.subject,
        status: c.status === 'resolved' ? 'resolved' : 'open',
        updated_at: toApiTimestamp(c.updated_at),
        messages: messages.map((m) => ({
          id: m.id,
          sender_type:
            m.sender_type === 'ai' ? 'ai' : m.sender_type === 'agent' ? 'agent' : 'contact',
          body: m.body,
          created_at: toApiTimestamp(m.created_at),
          channel: m.channel === 'voice' ? 'voice' : 'chat',
          attachments: attachments.get(m.id) ?? [],
        })),
      }
    }),
  )
  return out
}
