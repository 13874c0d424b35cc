import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../schema.ts'

/**
 * Privacy and trust (issue 24):
 * - `audit_log`: administrative actions, append-only. No foreign key (an entry outlives what it
 *   names, even its tenant), and triggers refuse every UPDATE and DELETE, so no code path —
 *   route, job or a mistaken repository function — can rewrite history.
 * - `tenants.token_revocations`: JSON list of `{h, at}` (keyed hash of an erased email, erasure
 *   time in seconds): visitor email tokens for that email issued before then are refused.
 * - `retention_runs`: what the retention job removed for a tenant the last time it ran.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('details', 'text')
    .addColumn('ip', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('audit_log_tenant_id')
    .on('audit_log')
    .columns(['tenant_id', 'id'])
    .execute()
  if (dialect === 'postgres') {
    await sql`create function aurion_audit_log_append_only() returns trigger
      language plpgsql as $$
      begin
        raise exception 'audit_log is append-only';
      end
      $$`.execute(db)
    await sql`create trigger audit_log_no_update before update or delete on audit_log
      for each row execute function aurion_audit_log_append_only()`.execute(db)
  } else {
    await sql`create trigger audit_log_no_update before update on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db)
    await sql`create trigger audit_log_no_delete before delete on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db)
  }

  await db.schema
    .alterTable('tenants')
    .addColumn('token_revocations', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute()

  await db.schema
    .createTable('retention_runs')
    .addColumn('tenant_id', 'text', (c) =>
      c.primaryKey().references('tenants.id').onDelete('cascade'),
    )
    .addColumn('ran_at', 'text', (c) => c.notNull())
    .addColumn('cutoff', 'text', (c) => c.notNull())
    .addColumn('conversations', 'integer', (c) => c.notNull())
    .addColumn('messages', 'integer', (c) => c.notNull())
    .addColumn('uploads', 'integer', (c) => c.notNull())
    .addColumn('feedback', 'integer', (c) => c.notNull())
    .addColumn('outbox', 'integer', (c) => c.notNull())
    .execute()
}
