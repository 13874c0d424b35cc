import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { Db } from '../db/schema.ts'
import { uploadQuotaExceeded } from '../errors.ts'
import { newId, nowIso } from '../ids.ts'
import { insertUploadWithinQuota, sumTenantUploadBytes } from './upload-repo.ts'

/** The contract's maximum upload size: 10 MB. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024

/**
 * Reads a file stream into memory, never holding more than `max` bytes. Past the limit it stops
 * at once (`truncated: true`) instead of waiting for the rest of the part, so an oversized
 * upload is answered while the client is still sending. The multipart parser enforces the same
 * limit and signals it with a `limit` event; the byte count holds even if it was configured
 * differently.
 */
export async function readBounded(
  stream: Readable & { truncated?: boolean },
  max: number,
): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = []
  let size = 0
  let truncated = false
  const onLimit = () => {
    truncated = true
    stream.destroy()
  }
  stream.once('limit', onLimit)
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > max) {
        truncated = true
        break
      }
      chunks.push(chunk)
    }
  } catch (err) {
    // Destroying the stream at the limit ends the iteration with a premature-close error.
    if (!truncated) throw err
  } finally {
    stream.off('limit', onLimit)
  }
  if (stream.truncated === true) truncated = true
  return { bytes: truncated ? Buffer.alloc(0) : Buffer.concat(chunks, size), truncated }
}

/** The public description of a stored upload: the contract's 201 body. */
export interface StoredUpload {
  upload_id: string
  file_name: string
  content_type: string
  size_bytes: number
}

/**
 * Stores checked bytes in the database (so every instance can serve them) within the tenant's
 * quota, and returns the contract's body. Abandoned uploads are deleted by the upload sweep.
 * @throws ApiError 413 when the tenant's attachments would exceed `quotaBytes`.
 */
export async function storeUpload(
  db: Db,
  input: { tenantId: string; fileName: string; contentType: string; bytes: Buffer },
  quotaBytes: number,
): Promise<StoredUpload> {
  const id = newId('upl')
  const outcome = await insertUploadWithinQuota(
    db,
    {
      id,
      tenant_id: input.tenantId,
      file_name: input.fileName,
      content_type: input.contentType,
      size_bytes: input.bytes.length,
      sha256: createHash('sha256').update(input.bytes).digest('hex'),
      data: input.bytes,
      message_id: null,
      created_at: nowIso(),
    },
    quotaBytes,
  )
  if (!outcome.stored) throw uploadQuotaExceeded(quotaBytes, outcome.usedBytes)
  return {
    upload_id: id,
    file_name: input.fileName,
    content_type: input.contentType,
    size_bytes: input.bytes.length,
  }
}

/**
 * Refuses, before a byte of the file is read, an upload of a tenant whose quota is already used
 * up. The final word is {@link storeUpload}'s, which counts the file itself.
 * @throws ApiError 413 when nothing more fits.
 */
export async function assertQuotaLeft(db: Db, tenantId: string, quotaBytes: number): Promise<void> {
  const used = await sumTenantUploadBytes(db, tenantId)
  if (used >= quotaBytes) throw uploadQuotaExceeded(quotaBytes, used)
}
