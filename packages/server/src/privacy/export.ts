import type { PrivacyExportResponse } from '@aurion/contract'
import type { Db } from '../db/schema.ts'
import { nowIso } from '../ids.ts'
import { listUploadsForMessages } from '../uploads/upload-repo.ts'
import { findVisitorDataIds } from './visitor-data-repo.ts'

/**
 * Everything stored about `email` in a tenant, as JSON: its contacts, its conversations with
 * every message, the attachments' metadata and download links (`attachmentUrl`), feedback.
 */
export async function exportVisitor(
  db: Db,
  tenantId: string,
  rawEmail: string,
  attachmentUrl: (uploadId: string) => string,
): Promise<PrivacyExportResponse> {
  const email = rawEmail.trim().toLowerCase()
  const ids = await findVisitorDataIds(db, tenantId, email)
  const contacts =
    ids.contactIds.length === 0
      ? []
      : await db
          .selectFrom('contacts')
          .select(['id', 'email', 'name', 'created_at', 'updated_at'])
          .where('tenant_id', '=', tenantId)
          .where('id', 'in', ids.contactIds)
          .orderBy('created_at')
          .execute()
  const conversations = []
  for (const id of ids.conversationIds) {
    const c = await db
      .selectFrom('conversations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
    if (!c) continue
    const messages = await db
      .selectFrom('messages')
      .select(['id', 'sender_type', 'body', 'channel', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .where('conversation_id', '=', id)
      .orderBy('seq')
      .execute()
    const uploads = await listUploadsForMessages(
      db,
      tenantId,
      messages.map((m) => m.id),
    )
    conversations.push({
      id: c.id,
      subject: c.subject,
      status: c.status,
      claimed_email: c.claimed_email,
      created_at: c.created_at,
      updated_at: c.updated_at,
      messages: messages.map((m) => ({
        ...m,
        attachments: uploads
          .filter((u) => u.message_id === m.id)
          .map((u) => ({
            upload_id: u.id,
            file_name: u.file_name,
            content_type: u.content_type,
            size_bytes: Number(u.size_bytes),
            url: attachmentUrl(u.id),
          })),
      })),
    })
  }
  return { email, exported_at: nowIso(), contacts, conversations, feedback: [] }
}
