import { type Kysely, sql } from 'kysely'

/**
 * Visitor feedback (issue 21):
 * - `message_feedback`: a thumbs up/down on one assistant answer, with an optional comment. One
 *   row per message (its primary key): a message belongs to one conversation, which belongs to one
 *   visitor, so this is one vote per message per visitor, and a second vote replaces the first.
 * - `conversation_csat`: the 1–5 satisfaction score of a conversation, one per conversation
 *   (a second answer replaces the first).
 * Both go with their message / conversation (cascade), so erasure and retention take them along.
 * `updated_at` is the time of the latest vote: the analytics count a vote in the period it was
 * last given.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('message_feedback')
    .addColumn('message_id', 'text', (c) =>
      c.primaryKey().references('messages.id').onDelete('cascade'),
    )
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) =>
      c.notNull().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('rating', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await sql`create index message_feedback_tenant_updated
    on message_feedback (tenant_id, updated_at)`.execute(db)
  await sql`create index message_feedback_conversation
    on message_feedback (conversation_id)`.execute(db)
  await db.schema
    .createTable('conversation_csat')
    .addColumn('conversation_id', 'text', (c) =>
      c.primaryKey().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await sql`create index conversation_csat_tenant_updated
    on conversation_csat (tenant_id, updated_at)`.execute(db)
}
