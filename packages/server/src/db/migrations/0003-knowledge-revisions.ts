import type { Kysely } from 'kysely'

/**
 * One counter per tenant, bumped in the same transaction as every article write, so each
 * instance can tell with one primary-key lookup whether its in-memory search index is stale
 * (robust against clock skew between instances and writes within the same millisecond).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('knowledge_revisions')
    .addColumn('tenant_id', 'text', (c) =>
      c.primaryKey().references('tenants.id').onDelete('cascade'),
    )
    .addColumn('revision', 'integer', (c) => c.notNull())
    .execute()
}
