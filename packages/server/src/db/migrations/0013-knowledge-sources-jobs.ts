import { type Kysely, sql } from 'kysely'

/**
 * Knowledge imported from websites, sitemaps and files, and the durable job table that crawls
 * run from:
 * - `jobs`: work that outlives a request. A runner on any instance claims a queued job (or one
 *   whose lease expired: its runner died) and holds a lease it renews while working; at most one
 *   job per `ref_id` runs at a time and at most one waits queued (partial unique index).
 * - `knowledge_sources`: a website or sitemap to import, with the last sync's progress;
 * - `knowledge_source_pages`: every page a source imported, with what a re-sync compares
 *   (ETag, Last-Modified, content hash) and the article it became;
 * - articles remember where they came from (`source_id`, the page `source_url` they cite, or
 *   the `source_file` name they were imported from).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref_id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('lease_token', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('run_after', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute()
  await sql`create index jobs_pending on jobs (status, run_after)`.execute(db)
  await sql`create index jobs_ref on jobs (ref_id, status)`.execute(db)
  await sql`create unique index jobs_one_queued on jobs (kind, ref_id) where status = 'queued'`.execute(
    db,
  )

  await db.schema
    .createTable('knowledge_sources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('max_pages', 'integer', (c) => c.notNull())
    .addColumn('resync_hours', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('pages_found', 'integer', (c) => c.notNull())
    .addColumn('pages_imported', 'integer', (c) => c.notNull())
    .addColumn('pages_unchanged', 'integer', (c) => c.notNull())
    .addColumn('errors', 'text', (c) => c.notNull())
    .addColumn('last_synced_at', 'text')
    .addColumn('next_sync_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await sql`create index knowledge_sources_tenant on knowledge_sources (tenant_id, created_at)`.execute(
    db,
  )
  await sql`create index knowledge_sources_due on knowledge_sources (next_sync_at)`.execute(db)

  await db.schema
    .createTable('knowledge_source_pages')
    .addColumn('source_id', 'text', (c) =>
      c.notNull().references('knowledge_sources.id').onDelete('cascade'),
    )
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('article_id', 'text')
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('content_hash', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('knowledge_source_pages_pk', ['source_id', 'url'])
    .execute()

  await sql`alter table knowledge_articles add column source_id text`.execute(db)
  await sql`alter table knowledge_articles add column source_url text`.execute(db)
  await sql`alter table knowledge_articles add column source_file text`.execute(db)
  await sql`create index knowledge_articles_source on knowledge_articles (source_id)`.execute(db)
}
