import { SourceThreadId } from '@aurion/contract'
import multipart from '@fastify/multipart'
import { type Static, Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import {
  badRequest,
  invalidField,
  notFound,
  payloadTooLarge,
  unsupportedMediaType,
} from '../../errors.ts'
import {
  assertAcceptedType,
  assertContentMatches,
  normalizeContentType,
} from '../../uploads/content-check.ts'
import { sanitizeFileName } from '../../uploads/file-name.ts'
import { sendUpload } from '../../uploads/serve-upload.ts'
import {
  assertQuotaLeft,
  MAX_UPLOAD_BYTES,
  readBounded,
  storeUpload,
} from '../../uploads/store-upload.ts'
import { checkUploadSignature, mayDownloadUpload } from '../../uploads/upload-access.ts'
import { findUpload } from '../../uploads/upload-repo.ts'
import { resolveVisitorIdentity } from '../../visitors/visitor-auth.ts'
import {
  authorizeWidget,
  isTenantIdShape,
  limitByIp,
  PUBLIC_LIMITS,
  type WidgetAccess,
} from '../../widget-auth/public-guard.ts'

const UploadResponse = Type.Object({
  upload_id: Type.String(),
  file_name: Type.String(),
  content_type: Type.String(),
  size_bytes: Type.Integer(),
})

const DownloadQuery = Type.Object({
  tenant_id: Type.String({ maxLength: 100 }),
  public_key: Type.Optional(Type.String({ maxLength: 200 })),
  email_token: Type.Optional(Type.String({ maxLength: 2048 })),
  source_thread_id: Type.Optional(SourceThreadId),
  expires: Type.Optional(Type.String({ maxLength: 16 })),
  signature: Type.Optional(Type.String({ maxLength: 128 })),
})
const DownloadParams = Type.Object({ upload_id: Type.String({ maxLength: 100 }) })

/** Form fields the upload accepts besides `file`. */
const FIELDS = new Set(['tenant_id', 'public_key'])

/**
 * `POST /api/v1/widget/uploads` (multipart: `tenant_id`, `public_key`, `file`) and
 * `GET /api/v1/widget/uploads/:upload_id` for the widget. Register inside the public widget
 * plugin, which provides the CORS hooks for `/api/v1/widget`.
 */
export async function uploadRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  // Multipart parsing (and its per-request hooks) only where uploads are received.
  await app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10, fieldSize: 4096, parts: 12 },
    })
    receiveRoute(scope, ctx)
  })
  downloadRoute(app, ctx)
}

function receiveRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.post(
    '/api/v1/widget/uploads',
    {
      schema: {
        tags: ['widget'],
        summary: 'Upload an attachment (multipart: tenant_id, public_key, file; max 10 MB)',
        consumes: ['multipart/form-data'],
        response: { 201: UploadResponse },
      },
      onResponse: async (request) => discardRest(request),
    },
    async (request, reply) => {
      await limitByIp(ctx, request, reply, PUBLIC_LIMITS.uploads)
      if (!request.isMultipart()) {
        throw unsupportedMediaType(
          'Send the upload as multipart/form-data with tenant_id, public_key and file',
        )
      }
      const upload = await receiveUpload(ctx, request)
      const stored = await storeUpload(ctx.db, upload, ctx.config.uploadQuotaBytes)
      return reply.status(201).send(stored)
    },
  )
}

function downloadRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get(
    '/api/v1/widget/uploads/:upload_id',
    {
      schema: {
        tags: ['widget'],
        summary: "Download an attachment of the visitor's conversation (served inert)",
        description:
          "Either as the conversation's visitor (`public_key` + allowed Origin + their `email_token`, or `source_thread_id` for a conversation nobody claimed), or with an expiring signed URL (`expires` + `signature`, as handed out in /widget/history). Anything else, and an upload not sent in a message yet, is a 404. Served inert: nosniff, CSP sandbox.",
        params: DownloadParams,
        querystring: DownloadQuery,
      },
    },
    async (request, reply) => {
      await limitByIp(ctx, request, reply, PUBLIC_LIMITS.download)
      const { upload_id } = request.params as { upload_id: string }
      const q = request.query as Static<typeof DownloadQuery>
      if (q.expires !== undefined || q.signature !== undefined) {
        const tenantId = q.tenant_id.toLowerCase()
        const signed =
          isTenantIdShape(tenantId) &&
          checkUploadSignature(
            ctx.config.secret,
            tenantId,
            upload_id,
            q.expires ?? '',
            q.signature ?? '',
          )
        const upload = signed ? await findUpload(ctx.db, tenantId, upload_id) : undefined
        if (upload === undefined) throw notFound('Upload not found')
        return sendUpload(reply, upload)
      }
      const access = await authorizeWidget(ctx, {
        tenantId: q.tenant_id,
        publicKey: q.public_key,
        originHeader: request.headers.origin,
        fetchSite: request.headers['sec-fetch-site'],
      })
      const identity = resolveVisitorIdentity(ctx, access, { emailToken: q.email_token })
      const upload = await findUpload(ctx.db, access.tenant.id, upload_id)
      if (
        upload === undefined ||
        !(await mayDownloadUpload(ctx.db, upload, identity, q.source_thread_id))
      ) {
        throw notFound('Upload not found')
      }
      return sendUpload(reply, upload)
    },
  )
}

interface ReceivedUpload {
  tenantId: string
  fileName: string
  contentType: string
  bytes: Buffer
}

/**
 * Walks the multipart parts. `tenant_id` and `public_key` must come before the file (browsers
 * send form fields in order, and the widget puts them first): the caller is authorized, and the
 * tenant's quota checked, before a byte of the file is read. A file part arriving first is
 * refused at once, so an unauthenticated client cannot make the server take in 10 MB.
 */
async function receiveUpload(ctx: RouteContext, request: FastifyRequest): Promise<ReceivedUpload> {
  const fields: Record<string, unknown> = {}
  let access: WidgetAccess | undefined
  let file: { name: string; type: string; bytes: Buffer } | undefined

  const parts = request.parts({
    limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 8, fieldSize: 4096, parts: 10 },
  })
  const iterator = parts[Symbol.asyncIterator]()
  try {
    for (;;) {
      const step = await iterator.next().catch((err: unknown) => {
        throw multipartError(err)
      })
      if (step.done) break
      const part = step.value
      if (part.type === 'field') {
        if (FIELDS.has(part.fieldname) && !(part.fieldname in fields)) {
          fields[part.fieldname] = part.value
        }
        continue
      }
      if (part.fieldname !== 'file') {
        throw invalidField(
          ['body', part.fieldname],
          'Unexpected file field; send the file as "file"',
        )
      }
      checkFields(fields, 'Field required before the file: send tenant_id and public_key first')
      access = await authorizeWidget(ctx, {
        tenantId: fields.tenant_id,
        publicKey: fields.public_key,
        originHeader: request.headers.origin,
      })
      await assertQuotaLeft(ctx.db, access.tenant.id, ctx.config.uploadQuotaBytes)
      const type = normalizeContentType(part.mimetype)
      assertAcceptedType(type)
      const { bytes, truncated } = await readBounded(part.file, MAX_UPLOAD_BYTES).catch(
        (err: unknown) => {
          throw multipartError(err)
        },
      )
      if (truncated) throw tooLarge()
      file = { name: part.filename, type, bytes }
    }
  } finally {
    await iterator.return?.().catch(() => {})
  }

  checkFields(fields, 'Field required')
  if (file === undefined || access === undefined)
    throw invalidField(['body', 'file'], 'Field required', 'missing')
  if (file.bytes.length === 0) throw invalidField(['body', 'file'], 'The file is empty')
  await assertContentMatches(file.type, file.bytes)
  return {
    tenantId: access.tenant.id,
    fileName: sanitizeFileName(file.name, file.type),
    contentType: file.type,
    bytes: file.bytes,
  }
}

/** How long, and how many bytes, the rest of a refused upload is read and thrown away. */
const DISCARD_LIMIT = { ms: 5_000, bytes: MAX_UPLOAD_BYTES }

/**
 * Refused before the whole body was read (bad key, too large, bad type, quota): the rest of
 * what the client is still sending is read and thrown away for a while, so it sees the answer
 * and the end of the request instead of a connection hanging paused until the request timeout
 * (closing at once could reset the connection before the client has read the answer). A client
 * that keeps sending past the bound has its connection closed.
 */
function discardRest(request: FastifyRequest): void {
  const raw = request.raw
  if (raw.readableEnded) return
  raw.unpipe()
  let left = DISCARD_LIMIT.bytes
  const close = () => {
    clearTimeout(timer)
    raw.off('data', count)
    raw.destroy()
  }
  const count = (chunk: Buffer) => {
    left -= chunk.length
    if (left < 0) close()
  }
  const timer = setTimeout(close, DISCARD_LIMIT.ms).unref()
  raw.on('data', count)
  raw.once('end', () => {
    clearTimeout(timer)
    raw.off('data', count)
  })
  raw.resume()
}

/** Parser failures as client errors: limits are 413/422, malformed bodies 400, never a 500. */
function multipartError(err: unknown): unknown {
  const code = (err as { code?: string }).code
  if (code === 'FST_FILES_LIMIT')
    return invalidField(['body', 'file'], 'Send exactly one file per upload')
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return invalidField(['body'], 'Too many form fields: send tenant_id, public_key and file')
  }
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge()
  const status = (err as { statusCode?: number }).statusCode
  if (status !== undefined && status >= 400 && status < 500) return err
  return badRequest('Malformed multipart body')
}

const tooLarge = () =>
  payloadTooLarge(`File too large: the maximum upload size is ${MAX_UPLOAD_BYTES / 1048576} MB`)

function checkFields(fields: Record<string, unknown>, missing: string): void {
  for (const name of FIELDS) {
    const v = fields[name]
    if (v === undefined) throw invalidField(['body', name], missing, 'missing')
    if (typeof v !== 'string')
      throw invalidField(['body', name], 'Input should be a valid string', 'string_type')
  }
}
