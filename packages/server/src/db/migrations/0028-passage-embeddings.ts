import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../schema.ts'

/**
 * Hybrid search (issue 20): an embedding per article passage and, per tenant, how far the
 * background job has come.
 * - `knowledge_passage_vectors`: one row per passage of a published article, its vector as
 *   little-endian float32 (SQLite BLOB, PostgreSQL bytea), the model that made it and a hash
 *   of the text it was made from (a re-embed only for what changed);
 * - `knowledge_embedding_state`: the knowledge revision and model the tenant's vectors are up
 *   to date with, a `version` bumped whenever they change (search caches compare it), and the
 *   failures that put off the next attempt.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const binary = dialect === 'postgres' ? 'bytea' : 'blob'
  await db.schema
    .createTable('knowledge_passage_vectors')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('article_id', 'text', (c) =>
      c.notNull().references('knowledge_articles.id').onDelete('cascade'),
    )
    .addColumn('passage_index', 'integer', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('text_hash', 'text', (c) => c.notNull())
    .addColumn('dims', 'integer', (c) => c.notNull())
    .addColumn('vector', sql.raw(binary), (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('knowledge_passage_vectors_pk', ['article_id', 'passage_index'])
    .execute()
  await sql`create index knowledge_passage_vectors_tenant on knowledge_passage_vectors (tenant_id, model)`.execute(
    db,
  )
  await db.schema
    .createTable('knowledge_embedding_state')
    .addColumn('tenant_id', 'text', (c) =>
      c.primaryKey().references('tenants.id').onDelete('cascade'),
    )
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('retry_after', 'text')
    .addColumn('last_error', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
}
