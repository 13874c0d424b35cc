import { type Static, Type } from '@sinclair/typebox'

/** Limits of a knowledge article's fields (the API answers 422 outside them). */
export const ARTICLE_LIMITS = {
  title: { min: 1, max: 200 },
  body: { min: 1, max: 20_000 },
  tags: { maxItems: 20, maxLength: 40 },
  category: { max: 80 },
  slug: { max: 80 },
} as const

/** An article's state: drafts are never public (Help Center) and the assistant does not use them. */
export const ARTICLE_STATUSES = ['published', 'draft'] as const
export type ArticleStatus = (typeof ARTICLE_STATUSES)[number]

/** A slug: lowercase letters and digits in groups joined by single hyphens. */
export const SLUG_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*$'

/** Page size limits of `GET /api/v1/knowledge/articles`. */
export const ARTICLE_PAGE = { defaultLimit: 20, maxLimit: 100 } as const

const Title = Type.String({
  minLength: ARTICLE_LIMITS.title.min,
  maxLength: ARTICLE_LIMITS.title.max,
  description: 'Shown to visitors as the source of an answer',
})
const Body = Type.String({
  minLength: ARTICLE_LIMITS.body.min,
  maxLength: ARTICLE_LIMITS.body.max,
  description:
    'Plain text. Lines starting with `## ` start a section; numbered (`1.`) and bulleted (`-`) lines are steps. The assistant answers with the most relevant section.',
})
const Tags = Type.Array(Type.String({ minLength: 1, maxLength: ARTICLE_LIMITS.tags.maxLength }), {
  maxItems: ARTICLE_LIMITS.tags.maxItems,
  description: 'Keywords and synonyms visitors may use (e.g. "wifi", "wireless")',
})

const Category = Type.Union(
  [Type.String({ maxLength: ARTICLE_LIMITS.category.max }), Type.Null()],
  { description: 'Help Center category, e.g. "Billing" (null or empty: none)' },
)
const Slug = Type.String({
  minLength: 1,
  maxLength: ARTICLE_LIMITS.slug.max,
  pattern: SLUG_PATTERN,
  description:
    'Address in the Help Center (`/articles/{slug}`), unique per tenant; made from the title when left out',
})
const Status = Type.Union(
  ARTICLE_STATUSES.map((s) => Type.Literal(s)),
  {
    description:
      '`published` (default) or `draft`: drafts are never public and the assistant does not answer from them',
  },
)

/** A knowledge article as the admin API returns it. */
export const KnowledgeArticle = Type.Object({
  id: Type.String({ description: 'e.g. kb_3kT…' }),
  title: Type.String(),
  body: Type.String(),
  tags: Type.Array(Type.String()),
  category: Type.Union([Type.String(), Type.Null()]),
  slug: Type.String(),
  status: Status,
  helpful_count: Type.Integer({ description: 'Help Center readers who found it helpful' }),
  not_helpful_count: Type.Integer({ description: 'Help Center readers who did not' }),
  source_url: Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description: 'The page it was imported from (what answers from it cite)',
    }),
  ),
  source_file: Type.Optional(
    Type.Union([Type.String(), Type.Null()], { description: 'The file it was imported from' }),
  ),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
})
export type KnowledgeArticle = Static<typeof KnowledgeArticle>

/**
 * Body of `POST /api/v1/knowledge/articles` and `PUT /api/v1/knowledge/articles/{id}`. On PUT,
 * omitted `tags` become `[]`; omitted `category`, `slug` and `status` keep their value.
 */
export const KnowledgeArticleInput = Type.Object({
  title: Title,
  body: Body,
  tags: Type.Optional(Tags),
  category: Type.Optional(Category),
  slug: Type.Optional(Slug),
  status: Type.Optional(Status),
})
export type KnowledgeArticleInput = Static<typeof KnowledgeArticleInput>

/** Body of `PATCH /api/v1/knowledge/articles/{id}`: any subset of the fields. */
export const KnowledgeArticlePatch = Type.Object({
  title: Type.Optional(Title),
  body: Type.Optional(Body),
  tags: Type.Optional(Tags),
  category: Type.Optional(Category),
  slug: Type.Optional(Slug),
  status: Type.Optional(Status),
})
export type KnowledgeArticlePatch = Static<typeof KnowledgeArticlePatch>

/** Query of `GET /api/v1/knowledge/articles`. */
export const KnowledgeArticleListQuery = Type.Object({
  q: Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'Words that must all appear in the title, body or tags (case-insensitive)',
    }),
  ),
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: ARTICLE_PAGE.maxLimit,
      default: ARTICLE_PAGE.defaultLimit,
    }),
  ),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  status: Type.Optional(Status),
})
export type KnowledgeArticleListQuery = Static<typeof KnowledgeArticleListQuery>

/** Response of `GET /api/v1/knowledge/articles`, most recently updated first. */
export const KnowledgeArticleList = Type.Object({
  items: Type.Array(KnowledgeArticle),
  total: Type.Integer({ description: 'Articles matching `q` in all pages' }),
  limit: Type.Integer(),
  offset: Type.Integer(),
})
export type KnowledgeArticleList = Static<typeof KnowledgeArticleList>

/** Body of `POST /api/v1/knowledge/search` (the admin console's "try a question" box). */
export const KnowledgeSearchRequest = Type.Object({
  question: Type.String({ minLength: 1, maxLength: 4000 }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 5 })),
})
export type KnowledgeSearchRequest = Static<typeof KnowledgeSearchRequest>

/** One article the assistant would use for a question, best first. */
export const KnowledgeSearchHit = Type.Object({
  id: Type.String(),
  title: Type.String(),
  tags: Type.Array(Type.String()),
  score: Type.Number({
    description: 'Relevance (higher is better; only comparable within one search)',
  }),
  /** Share of the question's meaningful words found in the article, 0–1. */
  coverage: Type.Number(),
  /** Whether the assistant would answer from this article (confident match). */
  confident: Type.Boolean(),
  similarity: Type.Optional(
    Type.Number({
      description:
        'Hybrid search (embeddings configured): cosine similarity of the article passage closest to the question',
    }),
  ),
  excerpt: Type.String({ description: 'The passage the built-in assistant would answer with' }),
})
export type KnowledgeSearchHit = Static<typeof KnowledgeSearchHit>

/** Response of `POST /api/v1/knowledge/search`. */
export const KnowledgeSearchResponse = Type.Object({
  question: Type.String(),
  results: Type.Array(KnowledgeSearchHit),
})
export type KnowledgeSearchResponse = Static<typeof KnowledgeSearchResponse>
