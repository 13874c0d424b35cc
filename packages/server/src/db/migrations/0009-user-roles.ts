import type { Kysely } from 'kysely'

/**
 * People and roles of the console:
 * - `admin_users.role`: `owner`, `admin` or `agent`. Every user who existed before becomes an
 *   `owner` (they could do everything until now);
 * - `admin_users.availability`: what the user chose, `online` or `away`. They count as online
 *   only while a console tab of theirs is open (`admin_presence`);
 * - `admin_presence`: one row per open console tab, refreshed by the tab's heartbeat, so any
 *   instance can tell who is online;
 * - `admin_invites`: one-time set-password links, stored as SHA-256 of the token.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('admin_users')
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('owner'))
    .execute()
  await db.schema
    .alterTable('admin_users')
    .addColumn('availability', 'text', (c) => c.notNull().defaultTo('online'))
    .execute()
  await db.schema
    .createIndex('admin_users_tenant_role')
    .on('admin_users')
    .columns(['tenant_id', 'role'])
    .execute()

  await db.schema
    .createTable('admin_presence')
    .addColumn('user_id', 'text', (c) =>
      c.notNull().references('admin_users.id').onDelete('cascade'),
    )
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('tab_id', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('admin_presence_pk', ['user_id', 'tab_id'])
    .execute()
  await db.schema
    .createIndex('admin_presence_tenant_seen')
    .on('admin_presence')
    .columns(['tenant_id', 'seen_at'])
    .execute()

  await db.schema
    .createTable('admin_invites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('invited_by', 'text', (c) => c.references('admin_users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('accepted_at', 'text')
    .execute()
  await db.schema
    .createIndex('admin_invites_tenant_email')
    .on('admin_invites')
    .columns(['tenant_id', 'email'])
    .execute()
}
