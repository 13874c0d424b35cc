import type { Db } from '../db/schema.ts'
import { validationError } from '../errors.ts'
import { attachUploads, listUploadsForMessages } from '../uploads/upload-repo.ts'

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

/**
 * Attaches the tenant's uploads `uploadIds` (none: nothing to do) to the new message; any that
 * cannot be attached is a 422 naming its index in `upload_ids`, which rolls back the caller's
 * transaction. Run it inside the transaction that stores the message.
 */
export async function attachUploadsToMessage(
  db: Db,
  tenantId: string,
  uploadIds: readonly string[] | undefined,
  messageId: string,
): Promise<void> {
  if (uploadIds === undefined || uploadIds.length === 0) return
  const failed = new Set(await attachUploads(db, tenantId, uploadIds, messageId))
  if (failed.size === 0) return
  throw validationError(
    uploadIds.flatMap((id, i) =>
      failed.has(id)
        ? [
            {
              type: 'value_error',
              loc: ['body', 'upload_ids', i],
              msg: `Unknown upload ${id}, or it is already attached to a message`,
            },
          ]
        : [],
    ),
  )
}
