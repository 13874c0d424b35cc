import { createHash } from 'node:crypto'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** `'sha256-…'` of an inline script or style, for a Content-Security-Policy source list. */
export function cspHash(content: string): string {
  return `'sha256-${createHash('sha256').update(content).digest('base64')}'`
}

/**
 * Sends a Help Center page or file: a strong ETag (304 when the browser has it), the given
 * Cache-Control, and brotli or gzip when the browser takes it (pages are built in memory, so they
 * are compressed here rather than by a plugin on every route).
 */
export function sendCached(
  request: FastifyRequest,
  reply: FastifyReply,
  body: string,
  opts: { type: string; cacheControl: string; status?: number; csp?: string },
): FastifyReply {
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`
  reply
    .header('Content-Type', opts.type)
    .header('Cache-Control', opts.cacheControl)
    .header('ETag', etag)
    .header('Vary', 'Accept-Encoding')
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'strict-origin-when-cross-origin')
  if (opts.csp) reply.header('Content-Security-Policy', opts.csp)
  const status = opts.status ?? 200
  if (status === 200 && request.headers['if-none-match'] === etag) return reply.status(304).send()
  const accepted = String(request.headers['accept-encoding'] ?? '')
  const raw = Buffer.from(body)
  if (raw.length < 1024) return reply.status(status).send(raw)
  if (/\bbr\b/.test(accepted)) {
    const out = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
    return reply.status(status).header('Content-Encoding', 'br').send(out)
  }
  if (/\bgzip\b/.test(accepted))
    return reply.status(status).header('Content-Encoding', 'gzip').send(gzipSync(raw))
  return reply.status(status).send(raw)
}
