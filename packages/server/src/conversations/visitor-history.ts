import type { HistoryConversation, WidgetHistoryResponse } from '@aurion/contract'
import type { Db } from '../db/schema.ts'
import { findContactByEmail } from '../visitors/contact-repo.ts'
import type { VisitorToken } from '../visitors/visitor-auth.ts'
import { replyExtrasOf } from './answer-extras.ts'
import { listConversationsOfVisitor, listThreadsOfConversation } from './conversation-repo.ts'
import { toApiTimestamp } from './frames.ts'
import { attachmentsOf } from './message-attachments.ts'
import { listConversationMessages } from './message-repo.ts'

/**
 * A visitor's history for `/widget/history`, newest activity first, each conversation with its
 * last `messageLimit` messages in order — the visitor's, the assistant's and human agents'.
 *
 * A token that does not prove its email lists only the conversations recorded under it (this
 * browser's); a proven token also lists every conversation whose contact proved the same email.
 * Conversations that merely claimed the email are never listed for anyone else.
 */
export async function listVisitorHistory(
  db: Db,
  tenantId: string,
  token: VisitorToken,
  limits: { conversationLimit: number; messageLimit: number },
  /** The signed download URL of an attachment (see `uploads/upload-access.ts`). */
  attachmentUrl?: (uploadId: string) => string,
): Promise<WidgetHistoryResponse> {
  const out: WidgetHistoryResponse = { tenant_id: tenantId, email: token.email, conversations: [] }
  const contact = token.proven ? await findContactByEmail(db, tenantId, token.email) : undefined
  const conversations = await listConversationsOfVisitor(
    db,
    tenantId,
    { tokenId: token.id, provenContactId: contact?.id },
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
          channel: m.channel === 'voice' || m.channel === 'phone' ? 'voice' : 'chat',
          attachments: (attachments.get(m.id) ?? []).map((a) =>
            attachmentUrl ? { ...a, url: attachmentUrl(a.upload_id) } : a,
          ),
          ...replyExtrasOf(m),
        })),
      }
    }),
  )
  return out
}
