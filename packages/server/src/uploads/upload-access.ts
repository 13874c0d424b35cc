import { createHmac, timingSafeEqual } from 'node:crypto'
import { findMessageForTenant } from '../conversations/message-repo.ts'
import { mayUseConversationById } from '../conversations/visitor-access.ts'
import type { Db } from '../db/schema.ts'
import type { VisitorIdentity } from '../visitors/visitor-auth.ts'
import type { UploadRow } from './upload-repo.ts'

/** How long a signed attachment URL works (1 hour). */
export const SIGNED_UPLOAD_TTL_SECONDS = 3600

const signature = (secret: string, tenantId: string, uploadId: string, expires: number) =>
  createHmac('sha256', secret).update(`aurion-upload:${tenantId}:${uploadId}:${expires}`).digest()

/**
 * The query of an expiring signed download URL of `/api/v1/widget/uploads/{id}`: whoever holds
 * it may download that one upload until `expires` (seconds since the epoch), without a token and
 * from anywhere (an `<img src>`, a link in a console).
 */
export function signUploadQuery(
  secret: string,
  tenantId: string,
  uploadId: string,
  nowSec = Math.floor(Date.now() / 1000),
): { tenant_id: string; expires: string; signature: string } {
  const expires = nowSec + SIGNED_UPLOAD_TTL_SECONDS
  return {
    tenant_id: tenantId,
    expires: String(expires),
    signature: signature(secret, tenantId, uploadId, expires).toString('hex'),
  }
}

/** Is this signature valid for the upload and not expired? Constant-time. */
export function checkUploadSignature(
  secret: string,
  tenantId: string,
  uploadId: string,
  expires: string,
  sig: string,
  nowSec = Math.floor(Date.now() / 1000),
): boolean {
  if (!/^\d{1,12}$/.test(expires) || !/^[0-9a-f]{64}$/.test(sig)) return false
  const exp = Number(expires)
  if (exp <= nowSec || exp > nowSec + SIGNED_UPLOAD_TTL_SECONDS) return false
  return timingSafeEqual(Buffer.from(sig, 'hex'), signature(secret, tenantId, uploadId, exp))
}

/**
 * May this visitor download `upload`? Only when it is attached to a message of a conversation
 * the visitor may use (the rule of `visitor-access.ts`: their email token, or the thread of a
 * conversation nobody claimed). An upload not sent yet, or anyone else's, is refused.
 */
export async function mayDownloadUpload(
  db: Db,
  upload: Pick<UploadRow, 'tenant_id' | 'message_id'>,
  identity: VisitorIdentity,
  threadRef: string | undefined,
): Promise<boolean> {
  if (upload.message_id === null) return false
  const message = await findMessageForTenant(db, upload.tenant_id, upload.message_id)
  if (message === undefined) return false
  return mayUseConversationById(db, upload.tenant_id, message.conversation_id, identity, threadRef)
}
