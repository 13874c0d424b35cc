import { type Static, Type } from '@sinclair/typebox'
import { KnowledgeArticle } from './knowledge.ts'

/** What a knowledge source imports: a website (followed link by link) or a sitemap's pages. */
export const KNOWLEDGE_SOURCE_TYPES = ['website', 'sitemap'] as const
export type KnowledgeSourceType = (typeof KNOWLEDGE_SOURCE_TYPES)[number]

/** A source's last (or current) sync. */
export const KNOWLEDGE_SOURCE_STATUSES = ['queued', 'running', 'done', 'failed'] as const
export type KnowledgeSourceStatus = (typeof KNOWLEDGE_SOURCE_STATUSES)[number]

/** Limits of a source's settings and of an imported file. */
export const KNOWLEDGE_SOURCE_LIMITS = {
  url: { max: 2000 },
  maxPages: { min: 1, max: 2000, default: 200 },
  resyncHours: { min: 1, max: 8760 },
  /** Bytes of a file `POST /api/v1/knowledge/import` takes. */
  importBytes: 20 * 1024 * 1024,
} as const

/** Body of `POST /api/v1/knowledge/sources`. */
export const KnowledgeSourceInput = Type.Object(
  {
    type: Type.Union(
      KNOWLEDGE_SOURCE_TYPES.map((t) => Type.Literal(t)),
      {
        description:
          '`website`: the page and the pages it links to on the same site; `sitemap`: the pages a sitemap lists',
      },
    ),
    url: Type.String({
      minLength: 1,
      maxLength: KNOWLEDGE_SOURCE_LIMITS.url.max,
      description:
        'The start page or the sitemap (https; http too where private targets are allowed)',
    }),
    max_pages: Type.Optional(
      Type.Integer({
        minimum: KNOWLEDGE_SOURCE_LIMITS.maxPages.min,
        maximum: KNOWLEDGE_SOURCE_LIMITS.maxPages.max,
        default: KNOWLEDGE_SOURCE_LIMITS.maxPages.default,
        description: 'Pages imported at most (default 200)',
      }),
    ),
    resync_hours: Type.Optional(
      Type.Union([
        Type.Integer({
          minimum: KNOWLEDGE_SOURCE_LIMITS.resyncHours.min,
          maximum: KNOWLEDGE_SOURCE_LIMITS.resyncHours.max,
          description:
            'Sync again this many hours after each sync; null or absent: only on request',
        }),
        Type.Null(),
      ]),
    ),
  },
  { additionalProperties: false },
)
export type KnowledgeSourceInput = Static<typeof KnowledgeSourceInput>

/** A page that could not be imported in the last sync. */
export const KnowledgeSourceError = Type.Object({
  url: Type.String(),
  error: Type.String(),
})
export type KnowledgeSourceError = Static<typeof KnowledgeSourceError>

/** A page a source imported, and the article it became. */
export const KnowledgeSourcePage = Type.Object({
  url: Type.String(),
  article_id: Type.Union([Type.String(), Type.Null()]),
  title: Type.Union([Type.String(), Type.Null()]),
  updated_at: Type.String({ format: 'date-time' }),
})
export type KnowledgeSourcePage = Static<typeof KnowledgeSourcePage>

/** A knowledge source as the admin API returns it. */
export const KnowledgeSource = Type.Object({
  id: Type.String({ description: 'e.g. ks_3kT…' }),
  type: Type.Union(KNOWLEDGE_SOURCE_TYPES.map((t) => Type.Literal(t))),
  url: Type.String(),
  max_pages: Type.Integer(),
  resync_hours: Type.Union([Type.Integer(), Type.Null()]),
  status: Type.Union(KNOWLEDGE_SOURCE_STATUSES.map((s) => Type.Literal(s))),
  pages_found: Type.Integer({ description: 'Pages the sync found to read (up to max_pages)' }),
  pages_imported: Type.Integer({ description: 'Pages created or updated by the sync' }),
  pages_unchanged: Type.Integer({ description: 'Pages the sync found unchanged' }),
  errors: Type.Array(KnowledgeSourceError, {
    description: 'Pages the sync could not import, and why',
  }),
  last_synced_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  next_sync_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  pages: Type.Optional(
    Type.Array(KnowledgeSourcePage, { description: 'The pages imported (single source only)' }),
  ),
})
export type KnowledgeSource = Static<typeof KnowledgeSource>

/** `GET /api/v1/knowledge/sources` 200 body, newest first. */
export const KnowledgeSourceList = Type.Object({ items: Type.Array(KnowledgeSource) })
export type KnowledgeSourceList = Static<typeof KnowledgeSourceList>

/** `POST /api/v1/knowledge/import` 201 body: the articles the file became. */
export const KnowledgeImportResponse = Type.Object({ items: Type.Array(KnowledgeArticle) })
export type KnowledgeImportResponse = Static<typeof KnowledgeImportResponse>
