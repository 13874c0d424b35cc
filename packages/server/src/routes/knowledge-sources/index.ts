import {
  ErrorResponse,
  KNOWLEDGE_SOURCE_LIMITS,
  KnowledgeImportResponse,
  KnowledgeSource,
  KnowledgeSourceInput,
  KnowledgeSourceList,
  ValidationErrorResponse,
} from '@aurion/contract'
import multipart from '@fastify/multipart'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { adminAuth } from '../../auth/admin-auth.ts'
import { ADMIN_SECURITY, adminErrorResponses } from '../../auth/admin-route-schema.ts'
import {
  ApiError,
  badRequest,
  invalidField,
  notFound,
  payloadTooLarge,
  unsupportedMediaType,
} from '../../errors.ts'
import { toArticle } from '../../knowledge/article-repo.ts'
import { importFile } from '../../knowledge/import/import-file.ts'
import {
  findSource,
  listSourcePages,
  listSources,
  toSource,
} from '../../knowledge/sources/source-repo.ts'
import {
  addSource,
  removeSource,
  requestSync,
  type SourceServiceDeps,
} from '../../knowledge/sources/source-service.ts'

const TAGS = ['Knowledge base']
const SECURITY = ADMIN_SECURITY
const AUTH_ERRORS = adminErrorResponses('knowledge:write')
const NOT_FOUND = { ...ErrorResponse, description: 'No such source for this tenant' }
const IdParams = Type.Object({ id: Type.String({ description: 'Source id (`ks_…`)' }) })
const MAX_MB = KNOWLEDGE_SOURCE_LIMITS.importBytes / 1024 / 1024

const sourceNotFound = () => notFound('Knowledge source not found')

/**
 * Knowledge sources (`/api/v1/knowledge/sources`: websites and sitemaps synced in the
 * background) and file imports (`POST /api/v1/knowledge/import`). Scope `knowledge` by method.
 */
export async function knowledgeSourceRoutes(
  app: FastifyInstance,
  ctx: RouteContext,
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const auth = adminAuth(ctx, 'knowledge')
  const deps: SourceServiceDeps = {
    db: ctx.db,
    allowPrivate: ctx.config.fetchAllowPrivate,
    wake: () => ctx.jobs?.wake(),
  }

  r.post(
    '/api/v1/knowledge/sources',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Add a website or sitemap to import',
        description:
          'Queues its first sync and answers 202 at once; follow `status` and the page counts with GET. Private and loopback URLs are refused unless the server allows them (`AURION_FETCH_ALLOW_PRIVATE`). Needs `knowledge:write`.',
        security: SECURITY,
        body: KnowledgeSourceInput,
        response: {
          202: KnowledgeSource,
          ...AUTH_ERRORS,
          400: { ...ErrorResponse, description: 'Malformed JSON body' },
          422: ValidationErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const row = await addSource(deps, request.admin!.tenantId, request.body)
      reply.header('Location', `/api/v1/knowledge/sources/${encodeURIComponent(row.id)}`)
      return reply.status(202).send(toSource(row))
    },
  )

  r.get(
    '/api/v1/knowledge/sources',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'List knowledge sources',
        description: 'Newest first, each with its last sync. Needs `knowledge:read`.',
        security: SECURITY,
        response: { 200: KnowledgeSourceList, ...AUTH_ERRORS },
      },
    },
    async (request) => ({
      items: (await listSources(ctx.db, request.admin!.tenantId)).map((row) => toSource(row)),
    }),
  )

  r.get(
    '/api/v1/knowledge/sources/:id',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Get a knowledge source',
        description:
          'Its sync status and progress, the pages it imported and the errors of the last sync. Needs `knowledge:read`.',
        security: SECURITY,
        params: IdParams,
        response: { 200: KnowledgeSource, 404: NOT_FOUND, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const row = await findSource(ctx.db, request.admin!.tenantId, request.params.id)
      if (!row) throw sourceNotFound()
      return toSource(row, await listSourcePages(ctx.db, row.id))
    },
  )

  r.post(
    '/api/v1/knowledge/sources/:id/sync',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Sync a knowledge source now',
        description:
          'Queues a sync (202): only pages that changed are updated. Needs `knowledge:write`.',
        security: SECURITY,
        params: IdParams,
        response: { 202: KnowledgeSource, 404: NOT_FOUND, ...AUTH_ERRORS },
      },
    },
    async (request, reply) => {
      const row = await requestSync(deps, request.admin!.tenantId, request.params.id)
      if (!row) throw sourceNotFound()
      return reply.status(202).send(toSource(row))
    },
  )

  r.delete(
    '/api/v1/knowledge/sources/:id',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Delete a knowledge source and what it imported',
        description: 'Its articles are deleted with it. Needs `knowledge:write`.',
        security: SECURITY,
        params: IdParams,
        response: {
          204: Type.Null({ description: 'Deleted' }),
          404: NOT_FOUND,
          ...AUTH_ERRORS,
        },
      },
    },
    async (request, reply) => {
      if (!(await removeSource(deps, request.admin!.tenantId, request.params.id)))
        throw sourceNotFound()
      return reply.status(204).send(null)
    },
  )

  await app.register(async (scope) => {
    await scope.register(multipart, {
      limits: {
        fileSize: KNOWLEDGE_SOURCE_LIMITS.importBytes,
        files: 1,
        fields: 4,
        fieldSize: 1024,
        parts: 5,
      },
    })
    scope.post(
      '/api/v1/knowledge/import',
      {
        onRequest: auth,
        bodyLimit: KNOWLEDGE_SOURCE_LIMITS.importBytes + 64 * 1024,
        schema: {
          tags: TAGS,
          summary: `Import a document (multipart \`file\`: PDF, DOCX, HTML, Markdown or text; max ${MAX_MB} MB)`,
          description:
            'Answers 201 with the article(s) it became (a long document is split at its sections). Answers from them cite the file name. Needs `knowledge:write`.',
          consumes: ['multipart/form-data'],
          security: SECURITY,
          response: {
            201: KnowledgeImportResponse,
            ...AUTH_ERRORS,
            409: { ...ErrorResponse, description: 'The knowledge base is full' },
            413: { ...ErrorResponse, description: `File larger than ${MAX_MB} MB` },
            415: { ...ErrorResponse, description: 'Not a PDF, DOCX, HTML, Markdown or text file' },
            422: ValidationErrorResponse,
          },
        },
      },
      async (request, reply) => {
        if (!request.isMultipart())
          throw unsupportedMediaType('Send the document as multipart/form-data with a "file" field')
        let file: { name: string; type: string; bytes: Buffer } | undefined
        try {
          for await (const part of request.parts()) {
            if (part.type !== 'file') continue
            if (part.fieldname !== 'file' || file)
              throw invalidField(['body', part.fieldname], 'Send one document as "file"')
            file = { name: part.filename, type: part.mimetype, bytes: await part.toBuffer() }
          }
        } catch (err) {
          throw multipartError(err)
        }
        if (!file) throw invalidField(['body', 'file'], 'Field required', 'missing')
        const rows = await importFile(ctx.db, request.admin!.tenantId, {
          fileName: file.name,
          contentType: file.type,
          bytes: file.bytes,
        })
        return reply.status(201).send({ items: rows.map(toArticle) })
      },
    )
  })
}

function multipartError(err: unknown): unknown {
  if (err instanceof ApiError) return err // our own answer about a part (a file under another name)
  const code = (err as { code?: string }).code
  if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return payloadTooLarge(`File too large: at most ${MAX_MB} MB`)
  if (code === 'FST_FILES_LIMIT')
    return invalidField(['body', 'file'], 'Send one document as "file"')
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT')
    return invalidField(['body'], 'Too many form fields: send the document as "file"')
  const status = (err as { statusCode?: number }).statusCode
  if (status !== undefined && status >= 400 && status < 500) return err
  return badRequest('Malformed multipart body')
}
