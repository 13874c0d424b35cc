import { type Kysely, sql } from 'kysely'

/**
 * Human hand-off:
 * - `conversations.handled_by`: `ai` (the assistant answers) or `human` (a person does; the
 *   assistant stays silent); `assignee_user_id`: the console user who owns it (null = the team's
 *   queue); the latest hand-off's time and reason, and the first reply a person sent the visitor
 *   after it (time and who), for the hand-off metrics;
 * - `messages.private`: 1 for a note of the team (never shown to the visitor);
 *   `author_user_id`: the console user who wrote a person's message (null: an API key).
 * Users leave their conversations and messages behind when deleted (set null).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('conversations')
    .addColumn('handled_by', 'text', (c) => c.notNull().defaultTo('ai'))
    .execute()
  await db.schema
    .alterTable('conversations')
    .addColumn('assignee_user_id', 'text', (c) =>
      c.references('admin_users.id').onDelete('set null'),
    )
    .execute()
  for (const column of [
    'handoff_requested_at',
    'handoff_reason',
    'first_human_reply_at',
    'first_human_reply_user_id',
  ]) {
    await db.schema.alterTable('conversations').addColumn(column, 'text').execute()
  }
  await db.schema
    .createIndex('conversations_tenant_handoff')
    .on('conversations')
    .columns(['tenant_id', 'handoff_requested_at'])
    .where(sql.ref('handoff_requested_at'), 'is not', null)
    .execute()
  await db.schema
    .createIndex('conversations_tenant_assignee')
    .on('conversations')
    .columns(['tenant_id', 'assignee_user_id'])
    .where(sql.ref('assignee_user_id'), 'is not', null)
    .execute()
  await db.schema
    .alterTable('messages')
    .addColumn('private', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('messages')
    .addColumn('author_user_id', 'text', (c) => c.references('admin_users.id').onDelete('set null'))
    .execute()
}
