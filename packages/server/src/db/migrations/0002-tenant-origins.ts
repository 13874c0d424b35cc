import type { Kysely } from 'kysely'

/** Allowed origins as rows, so a CORS preflight (which carries no tenant id) is one indexed lookup. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenant_origins')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('origin', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('tenant_origins_pk', ['tenant_id', 'origin'])
    .execute()
  await db.schema
    .createIndex('tenant_origins_origin')
    .on('tenant_origins')
    .column('origin')
    .execute()
}
