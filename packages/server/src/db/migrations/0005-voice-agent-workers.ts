import type { Kysely } from 'kysely'

/** Voice agent heartbeats, shared by every server instance so any `/readyz` can see them. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('voice_agent_workers')
    .addColumn('worker_id', 'text', (c) => c.primaryKey())
    .addColumn('agent_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('active_jobs', 'integer', (c) => c.notNull())
    .addColumn('version', 'text')
    .addColumn('livekit_worker_id', 'text')
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('voice_agent_workers_agent')
    .on('voice_agent_workers')
    .columns(['agent_name', 'last_seen_at'])
    .execute()
}
