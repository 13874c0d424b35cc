import type { Db } from '../db/schema.ts'
import { listUploadsForMessages } from '../uploads/upload-repo.ts'

/** A file attached to a message, as frames and the history show it (without its URL). */
export interface MessageAttachment {
  upload_id: string
  file_name: string
  content_type: string
  size_bytes: number
}

/** Attachments (metadata) per message id. */
export async function attachmentsOf(
  db: Db,
  tenantId: string,
  messageIds: string[],
): Promise<Map<string, MessageAttachment[]>> {
  const out = new Map<string, MessageAttachment[]>()
  for (const u of await listUploadsForMessages(db, tenantId, messageIds)) {
    if (!u.message_id) continue
    const list = out.get(u.message_id) ?? []
    list.push({
      upload_id: u.id,
      file_name: u.file_name,
      content_type: u.content_type,
      size_bytes: Number(u.size_bytes),
    })
    out.set(u.message_id, list)
  }
  return out
}
