import type { ArticleStatus, KnowledgeArticle } from '@aurion/contract'
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely'
import { isUniqueViolation } from '../conversations/db-errors.ts'
import { firstRow, prepare } from '../db/prepared.ts'
import type { Database, Db, KnowledgeArticlesTable } from '../db/schema.ts'
import { newId, nowIso } from '../ids.ts'
import { slugify, uniqueSlug } from './article-slug.ts'

export type ArticleRow = Selectable<KnowledgeArticlesTable>

/**
 * Fields an admin writes; `tags` already trimmed and de-duplicated by the caller. Left out on
 * create: no category, a slug made from the title, published.
 */
export interface ArticleFields {
  title: string
  body: string
  tags: string[]
  category?: string | null | undefined
  slug?: string | undefined
  status?: ArticleStatus | undefined
  /** Where an imported article came from (absent for articles written by hand). */
  origin?: ArticleOrigin | undefined
}

/** The knowledge source, page URL or file an article was imported from. */
export interface ArticleOrigin {
  sourceId?: string | undefined
  url?: string | undefined
  file?: string | undefined
}

/** The API shape of a stored article. */
export function toArticle(row: ArticleRow): KnowledgeArticle {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    tags: parseTags(row.tags),
    category: row.category,
    slug: row.slug,
    status: row.status === 'draft' ? 'draft' : 'published',
    helpful_count: Number(row.helpful_count),
    not_helpful_count: Number(row.not_helpful_count),
    source_url: row.source_url,
    source_file: row.source_file,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

/** Thrown when an explicitly chosen slug is already another article's (the API's 409). */
export class SlugTakenError extends Error {
  constructor(readonly slug: string) {
    super(`slug taken: ${slug}`)
  }
}

/** Tags column (JSON text) → string array; anything malformed reads as no tags. */
export function parseTags(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json)
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : []
  } catch {
    return []
  }
}

// Every write bumps the tenant's revision in the same transaction: search index caches on every
// instance compare it to know they are stale.
async function bumpRevision(trx: Kysely<Database>, tenantId: string): Promise<void> {
  await trx
    .insertInto('knowledge_revisions')
    .values({ tenant_id: tenantId, revision: 1 })
    .onConflict((oc) =>
      oc.column('tenant_id').doUpdateSet({ revision: sql`knowledge_revisions.revision + 1` }),
    )
    .execute()
}

function inTransaction<T>(db: Db, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn)
}

/** Stores a new article for the tenant. */
export async function createArticle(
  db: Db,
  tenantId: string,
  fields: ArticleFields,
): Promise<ArticleRow> {
  const [row] = await createArticles(db, tenantId, [fields])
  return row!
}

/** Stores several articles in one transaction (demo seeding, imports). */
export async function createArticles(
  db: Db,
  tenantId: string,
  list: ArticleFields[],
): Promise<ArticleRow[]> {
  if (list.length === 0) return []
  // Slugs made from titles are chosen against the tenant's current ones; a concurrent write that
  // took the same one meanwhile makes the insert fail on the unique index, and we choose again.
  for (let attempt = 0; ; attempt++) {
    try {
      return await inTransaction(db, async (trx) => {
        const taken = await tenantSlugs(trx, tenantId)
        const now = nowIso()
        const rows = list.map<ArticleRow>((fields) => {
          if (fields.slug !== undefined && taken.has(fields.slug))
            throw new SlugTakenError(fields.slug)
          const slug = fields.slug ?? uniqueSlug(slugify(fields.title), taken)
          taken.add(slug)
          return {
            id: newId('kb'),
            tenant_id: tenantId,
            title: fields.title,
            body: fields.body,
            tags: JSON.stringify(fields.tags),
            category: fields.category || null,
            slug,
            status: fields.status ?? 'published',
            helpful_count: 0,
            not_helpful_count: 0,
            created_at: now,
            updated_at: now,
            source_id: fields.origin?.sourceId ?? null,
            source_url: fields.origin?.url ?? null,
            source_file: fields.origin?.file ?? null,
          }
        })
        await trx.insertInto('knowledge_articles').values(rows).execute()
        await bumpRevision(trx, tenantId)
        return rows
      })
    } catch (err) {
      if (!isUniqueViolation(err)) throw err
      const explicit = list.find((f) => f.slug !== undefined)?.slug
      if (attempt >= 3 || explicit !== undefined) throw new SlugTakenError(explicit ?? '')
    }
  }
}

async function tenantSlugs(db: Kysely<Database>, tenantId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('knowledge_articles')
    .select('slug')
    .where('tenant_id', '=', tenantId)
    .execute()
  return new Set(rows.map((r) => r.slug))
}

/** The tenant's article, or `undefined` (also for another tenant's id). */
export async function findArticle(
  db: Db,
  tenantId: string,
  id: string,
): Promise<ArticleRow | undefined> {
  return db
    .selectFrom('knowledge_articles')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst()
}

/**
 * Replaces the given fields of the tenant's article; `undefined` when it does not exist for
 * this tenant.
 */
export async function updateArticle(
  db: Db,
  tenantId: string,
  id: string,
  fields: Partial<ArticleFields>,
): Promise<ArticleRow | undefined> {
  const set: Partial<ArticleRow> = { updated_at: nowIso() }
  if (fields.title !== undefined) set.title = fields.title
  if (fields.body !== undefined) set.body = fields.body
  if (fields.tags !== undefined) set.tags = JSON.stringify(fields.tags)
  if (fields.category !== undefined) set.category = fields.category || null
  if (fields.slug !== undefined) set.slug = fields.slug
  if (fields.status !== undefined) set.status = fields.status
  try {
    return await writeArticle(db, tenantId, id, set)
  } catch (err) {
    if (fields.slug !== undefined && isUniqueViolation(err)) throw new SlugTakenError(fields.slug)
    throw err
  }
}

function writeArticle(
  db: Db,
  tenantId: string,
  id: string,
  set: Partial<ArticleRow>,
): Promise<ArticleRow | undefined> {
  return inTransaction(db, async (trx) => {
    const res = await trx
      .updateTable('knowledge_articles')
      .set(set)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0) return undefined
    await bumpRevision(trx, tenantId)
    return trx
      .selectFrom('knowledge_articles')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
  })
}

/** Deletes the tenant's article; `false` when it does not exist for this tenant. */
export async function deleteArticle(db: Db, tenantId: string, id: string): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const res = await trx
      .deleteFrom('knowledge_articles')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst()
    if (Number(res.numDeletedRows) === 0) return false
    await bumpRevision(trx, tenantId)
    return true
  })
}

/** `%`, `_` and the escape character itself are literal in a search word. */
function likePattern(word: string): string {
  return `%${word.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

/**
 * A page of the tenant's articles, most recently updated first. `q`: whitespace-separated words
 * that must each appear (case-insensitive) in the title, body or tags.
 */
export async function listArticles(
  db: Db,
  tenantId: string,
  opts: {
    q?: string | undefined
    limit: number
    offset: number
    status?: ArticleStatus | undefined
  },
): Promise<{ rows: ArticleRow[]; total: number }> {
  const words = (opts.q ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 10)
  let base = db.selectFrom('knowledge_articles').where('tenant_id', '=', tenantId)
  if (opts.status !== undefined) base = base.where('status', '=', opts.status)
  for (const word of words) {
    const p = likePattern(word)
    base = base.where((eb) =>
      eb.or([
        eb(sql`lower(title)`, 'like', sql`${p} escape '\\'`),
        eb(sql`lower(body)`, 'like', sql`${p} escape '\\'`),
        eb(sql`lower(tags)`, 'like', sql`${p} escape '\\'`),
      ]),
    )
  }
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy('updated_at', 'desc')
      .orderBy('id')
      .limit(opts.limit)
      .offset(opts.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

/** Number of articles the tenant has. */
export async function countArticles(db: Db, tenantId: string): Promise<number> {
  const r = await db
    .selectFrom('knowledge_articles')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

/** Every article of the tenant. */
export async function listAllArticles(db: Db, tenantId: string): Promise<ArticleRow[]> {
  return db
    .selectFrom('knowledge_articles')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

/**
 * The tenant's published articles: what the search index holds, so the assistant and the Help
 * Center never see drafts.
 */
export async function listPublishedArticles(db: Db, tenantId: string): Promise<ArticleRow[]> {
  return db
    .selectFrom('knowledge_articles')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'published')
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

/** The tenant's published article with this slug (the Help Center's article page). */
export async function findPublishedArticleBySlug(
  db: Db,
  tenantId: string,
  slug: string,
): Promise<ArticleRow | undefined> {
  return db
    .selectFrom('knowledge_articles')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('slug', '=', slug)
    .where('status', '=', 'published')
    .executeTakeFirst()
}

/**
 * Counts one "was this helpful?" answer on a published article; `false` when there is no such
 * published article. Not a knowledge write: the search index does not change.
 */
export async function recordArticleFeedback(
  db: Db,
  tenantId: string,
  slug: string,
  helpful: boolean,
): Promise<boolean> {
  const res = await db
    .updateTable('knowledge_articles')
    .set(
      helpful
        ? { helpful_count: sql`helpful_count + 1` }
        : { not_helpful_count: sql`not_helpful_count + 1` },
    )
    .where('tenant_id', '=', tenantId)
    .where('slug', '=', slug)
    .where('status', '=', 'published')
    .executeTakeFirst()
  return Number(res.numUpdatedRows) > 0
}

// Prepared: every agent reply checks the revision.
const revisionQuery = prepare((db: Db, p: { tenantId: string }) =>
  db.selectFrom('knowledge_revisions').select('revision').where('tenant_id', '=', p.tenantId),
)

/** The tenant's knowledge revision (0 before the first write): one primary-key lookup. */
export async function findKnowledgeRevision(db: Db, tenantId: string): Promise<number> {
  const r = firstRow(await revisionQuery(db, { tenantId }))
  return r === undefined ? 0 : Number(r.revision)
}
