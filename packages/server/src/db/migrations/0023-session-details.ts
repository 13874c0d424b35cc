import type { Kysely } from 'kysely'
import type { Dialect } from '../schema.ts'

/**
 * Active console sessions (issue 24): where a session was opened (`ip`, `user_agent`, shown to
 * its user in the list of their sessions so they can tell theirs from a stranger's) and when it
 * was last used (`last_seen_at`, written at most once a minute).
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('admin_sessions').addColumn('ip', 'text').execute()
  await db.schema.alterTable('admin_sessions').addColumn('user_agent', 'text').execute()
  await db.schema.alterTable('admin_sessions').addColumn('last_seen_at', 'text').execute()
  await db.schema
    .createIndex('admin_sessions_user_id')
    .on('admin_sessions')
    .column('user_id')
    .execute()
}
