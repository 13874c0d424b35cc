import type { FastifyReply } from 'fastify'
import { isTextType } from './content-check.ts'
import { contentDisposition } from './file-name.ts'
import type { UploadRow } from './upload-repo.ts'

/** Types a browser may render in place: raster images and PDF. Everything else is downloaded. */
const INLINE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
])

/**
 * How an upload is served: the `Content-Type` sent and whether it is inline. Text of any kind
 * (HTML, SVG, XML, JavaScript…) goes out as `text/plain` so no browser ever executes it.
 */
export function servingOf(contentType: string): { type: string; inline: boolean } {
  if (isTextType(contentType)) return { type: 'text/plain; charset=utf-8', inline: false }
  return { type: contentType, inline: INLINE_TYPES.has(contentType) }
}

/**
 * Sends an upload's bytes with headers that keep untrusted content inert: `nosniff`, a
 * `sandbox` CSP (scripts and same-origin access off even if something renders), and
 * `attachment` unless it is a raster image or PDF.
 */
export function sendUpload(reply: FastifyReply, upload: UploadRow): FastifyReply {
  const { type, inline } = servingOf(upload.content_type)
  return reply
    .status(200)
    .header('Content-Type', type)
    .header('Content-Length', upload.data.length)
    .header(
      'Content-Disposition',
      contentDisposition(inline ? 'inline' : 'attachment', upload.file_name),
    )
    .header('X-Content-Type-Options', 'nosniff')
    .header('Content-Security-Policy', 'sandbox')
    .header('Cross-Origin-Resource-Policy', 'same-origin')
    .header('Cache-Control', 'private, max-age=300')
    .send(upload.data)
}
