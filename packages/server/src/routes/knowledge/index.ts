import {
  ErrorResponse,
  KnowledgeArticle,
  KnowledgeArticleInput,
  KnowledgeArticleList,
  KnowledgeArticleListQuery,
  KnowledgeArticlePatch,
  KnowledgeSearchRequest,
  KnowledgeSearchResponse,
  ValidationErrorResponse,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { bestPassage } from '../../agent/retrieval.ts'
import type { RouteContext } from '../../app-deps.ts'
import { adminAuth } from '../../auth/admin-auth.ts'
import { ADMIN_SECURITY, adminErrorResponses } from '../../auth/admin-route-schema.ts'
import { conflict, notFound, type ValidationIssue, validationError } from '../../errors.ts'
import {
  type ArticleFields,
  countArticles,
  createArticle,
  deleteArticle,
  findArticle,
  listArticles,
  SlugTakenError,
  toArticle,
  updateArticle,
} from '../../knowledge/article-repo.ts'
import { semanticSearchFor } from '../../knowledge/embeddings/semantic-search.ts'
import { knowledgeBaseFor } from '../../knowledge/knowledge-base.ts'
import { analyze, mentionsTrouble } from '../../knowledge/text.ts'

/** Articles per tenant: each tenant's search index lives in memory on every instance. */
export const MAX_ARTICLES_PER_TENANT = 2000
const EXCERPT_CHARS = 400
const TAGS = ['Knowledge base']
const SECURITY = ADMIN_SECURITY
const AUTH_ERRORS = adminErrorResponses('knowledge:write')
const BODY_ERRORS = {
  ...AUTH_ERRORS,
  400: { ...ErrorResponse, description: 'Malformed JSON body' },
  422: ValidationErrorResponse,
} as const
const NOT_FOUND = { ...ErrorResponse, description: 'No such article for this tenant' }
const IdParams = Type.Object({ id: Type.String({ description: 'Article id (`kb_…`)' }) })

const articleNotFound = () => notFound('Article not found')
const SLUG_CONFLICT = {
  ...ErrorResponse,
  description: 'Another article of the tenant has this slug',
}

/** Runs an article write; a slug another article holds is a 409. */
async function slugChecked<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (err) {
    if (err instanceof SlugTakenError)
      throw conflict(`Another article already has the slug "${err.slug}"`)
    throw err
  }
}

/**
 * Normalizes admin input: titles and tags trimmed, tags de-duplicated case-insensitively;
 * text that is only whitespace is as good as missing (422 naming the field).
 */
function cleanFields<T extends Partial<ArticleFields>>(input: T): T {
  const issues: ValidationIssue[] = []
  const out = { ...input }
  if (input.title !== undefined) {
    out.title = input.title.trim()
    if (out.title === '')
      issues.push({
        type: 'string_too_short',
        loc: ['body', 'title'],
        msg: 'String should have at least 1 character',
      })
  }
  if (input.body !== undefined && input.body.trim() === '') {
    issues.push({
      type: 'string_too_short',
      loc: ['body', 'body'],
      msg: 'String should have at least 1 character',
    })
  }
  if (input.category !== undefined) out.category = input.category?.trim() || null
  if (input.tags !== undefined) {
    const seen = new Set<string>()
    const tags: string[] = []
    input.tags.forEach((raw, i) => {
      const tag = raw.trim()
      if (tag === '') {
        issues.push({
          type: 'string_too_short',
          loc: ['body', 'tags', i],
          msg: 'String should have at least 1 character',
        })
        return
      }
      if (seen.has(tag.toLowerCase())) return
      seen.add(tag.toLowerCase())
      tags.push(tag)
    })
    out.tags = tags
  }
  if (issues.length > 0) throw validationError(issues)
  return out
}

/**
 * The tenant's knowledge base: CRUD on `/api/v1/knowledge/articles` (`knowledge:read` for GET,
 * `knowledge:write` otherwise) and `POST /api/v1/knowledge/search` (`knowledge:read`), which
 * shows which articles the assistant would answer a question from.
 */
export async function knowledgeRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const auth = adminAuth(ctx, 'knowledge')
  const readAuth = adminAuth(ctx, 'knowledge', { access: 'read' })
  const kb = knowledgeBaseFor(ctx.db)

  r.get(
    '/api/v1/knowledge/articles',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'List knowledge articles',
        description:
          'Most recently updated first. `q` keeps articles whose title, body or tags contain every word (case-insensitive). Needs `knowledge:read`.',
        security: SECURITY,
        querystring: KnowledgeArticleListQuery,
        response: { 200: KnowledgeArticleList, ...AUTH_ERRORS, 422: ValidationErrorResponse },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 20
      const offset = request.query.offset ?? 0
      const { rows, total } = await listArticles(ctx.db, request.admin!.tenantId, {
        q: request.query.q,
        limit,
        offset,
        status: request.query.status,
      })
      return { items: rows.map(toArticle), total, limit, offset }
    },
  )

  r.post(
    '/api/v1/knowledge/articles',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Create a knowledge article',
        description:
          'The assistant uses it from the next message on (unless it is a `draft`). Without a `slug`, one is made from the title (unique within the tenant). Needs `knowledge:write`.',
        security: SECURITY,
        body: KnowledgeArticleInput,
        response: {
          201: KnowledgeArticle,
          409: {
            ...ErrorResponse,
            description: `More than ${MAX_ARTICLES_PER_TENANT} articles, or the slug is another article's`,
          },
          ...BODY_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const tenantId = request.admin!.tenantId
      const fields = cleanFields({ ...request.body, tags: request.body.tags ?? [] })
      if ((await countArticles(ctx.db, tenantId)) >= MAX_ARTICLES_PER_TENANT)
        throw conflict(
          `Knowledge base is full: at most ${MAX_ARTICLES_PER_TENANT} articles per tenant`,
        )
      const row = await slugChecked(() => createArticle(ctx.db, tenantId, fields))
      reply.header('Location', `/api/v1/knowledge/articles/${encodeURIComponent(row.id)}`)
      return reply.status(201).send(toArticle(row))
    },
  )

  r.get(
    '/api/v1/knowledge/articles/:id',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Get a knowledge article',
        description: 'Needs `knowledge:read`.',
        security: SECURITY,
        params: IdParams,
        response: { 200: KnowledgeArticle, 404: NOT_FOUND, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const row = await findArticle(ctx.db, request.admin!.tenantId, request.params.id)
      if (!row) throw articleNotFound()
      return toArticle(row)
    },
  )

  r.put(
    '/api/v1/knowledge/articles/:id',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Replace a knowledge article',
        description:
          '`title` and `body` are required; omitted `tags` become `[]`; omitted `category`, `slug` and `status` keep their value. Needs `knowledge:write`.',
        security: SECURITY,
        params: IdParams,
        body: KnowledgeArticleInput,
        response: { 200: KnowledgeArticle, 404: NOT_FOUND, 409: SLUG_CONFLICT, ...BODY_ERRORS },
      },
    },
    async (request) => {
      const fields = cleanFields({ ...request.body, tags: request.body.tags ?? [] })
      const row = await slugChecked(() =>
        updateArticle(ctx.db, request.admin!.tenantId, request.params.id, fields),
      )
      if (!row) throw articleNotFound()
      return toArticle(row)
    },
  )

  r.patch(
    '/api/v1/knowledge/articles/:id',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Update some fields of a knowledge article',
        description: 'Fields left out keep their value. Needs `knowledge:write`.',
        security: SECURITY,
        params: IdParams,
        body: KnowledgeArticlePatch,
        response: { 200: KnowledgeArticle, 404: NOT_FOUND, 409: SLUG_CONFLICT, ...BODY_ERRORS },
      },
    },
    async (request) => {
      const fields = cleanFields(request.body)
      const tenantId = request.admin!.tenantId
      const row = Object.values(fields).every((v) => v === undefined)
        ? await findArticle(ctx.db, tenantId, request.params.id)
        : await slugChecked(() => updateArticle(ctx.db, tenantId, request.params.id, fields))
      if (!row) throw articleNotFound()
      return toArticle(row)
    },
  )

  r.delete(
    '/api/v1/knowledge/articles/:id',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Delete a knowledge article',
        description: 'Needs `knowledge:write`.',
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
      if (!(await deleteArticle(ctx.db, request.admin!.tenantId, request.params.id)))
        throw articleNotFound()
      return reply.status(204).send(null)
    },
  )

  r.post(
    '/api/v1/knowledge/search',
    {
      onRequest: readAuth,
      schema: {
        tags: TAGS,
        summary: 'Try a question',
        description:
          'The articles the assistant would consider for a visitor question, best first, with the passage the built-in assistant would answer with. Read-only: needs `knowledge:read`.',
        security: SECURITY,
        body: KnowledgeSearchRequest,
        response: { 200: KnowledgeSearchResponse, ...BODY_ERRORS },
      },
    },
    async (request) => {
      const { question } = request.body
      const tenantId = request.admin!.tenantId
      const index = await kb.forTenant(tenantId)
      const groups = analyze(question)
      const trouble = mentionsTrouble(question)
      const semantic = await semanticSearchFor(ctx.db, ctx.config, request.log)?.scores(
        tenantId,
        question,
      )
      const hits = index.search(question, { limit: request.body.limit ?? 5, semantic })
      const results = hits.map((hit) => {
        const passage = bestPassage(hit.article, groups, trouble)
        const excerpt = passage
          ? `${passage.heading ? `${passage.heading}\n` : ''}${passage.text}`
          : hit.article.body
        return {
          id: hit.article.id,
          title: hit.article.title,
          tags: hit.article.tags,
          score: Math.round(hit.score * 1000) / 1000,
          coverage: Math.round(hit.coverage * 1000) / 1000,
          confident: hit.confident,
          ...(hit.similarity !== undefined
            ? { similarity: Math.round(hit.similarity * 1000) / 1000 }
            : {}),
          excerpt:
            excerpt.length > EXCERPT_CHARS
              ? `${excerpt.slice(0, EXCERPT_CHARS).replace(/\s+\S*$/, '')}…`
              : excerpt,
        }
      })
      return { question, results }
    },
  )
}
