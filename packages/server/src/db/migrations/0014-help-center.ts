import { type Kysely, sql } from 'kysely'
import { slugify, uniqueSlug } from '../../knowledge/article-slug.ts'
import type { Dialect } from '../schema.ts'

/**
 * The Help Center:
 * - articles get a category, a slug (unique per tenant; existing articles get one from their
 *   title), a status (`published` or `draft`; existing articles are published) and the
 *   "was this helpful?" counters;
 * - `help_centers`: one per tenant, its slug unique across tenants (it is also a subdomain).
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await sql`alter table knowledge_articles add column category text`.execute(db)
  await sql`alter table knowledge_articles add column slug text`.execute(db)
  await sql`alter table knowledge_articles add column status text not null default 'published'`.execute(
    db,
  )
  await sql`alter table knowledge_articles add column helpful_count integer not null default 0`.execute(
    db,
  )
  await sql`alter table knowledge_articles add column not_helpful_count integer not null default 0`.execute(
    db,
  )
  const { rows } = await sql<{ id: string; tenant_id: string; title: string }>`
    select id, tenant_id, title from knowledge_articles order by tenant_id, created_at, id`.execute(
    db,
  )
  const taken = new Map<string, Set<string>>()
  for (const row of rows) {
    let set = taken.get(row.tenant_id)
    if (set === undefined) {
      set = new Set()
      taken.set(row.tenant_id, set)
    }
    const slug = uniqueSlug(slugify(row.title), set)
    set.add(slug)
    await sql`update knowledge_articles set slug = ${slug} where id = ${row.id}`.execute(db)
  }
  await sql`create unique index knowledge_articles_tenant_slug
    on knowledge_articles (tenant_id, slug)`.execute(db)

  await db.schema
    .createTable('help_centers')
    .addColumn('tenant_id', 'text', (c) =>
      c.primaryKey().references('tenants.id').onDelete('cascade'),
    )
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('logo_url', 'text')
    .addColumn('primary_color', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
}
