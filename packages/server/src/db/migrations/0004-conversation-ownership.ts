import type { Kysely } from 'kysely'

/**
 * `contact_verified`: the conversation's contact was proven by an email token (issued by
 * /widget/session, with identity verification when the tenant requires it), not merely asserted
 * through `sender_email`. Only such conversations appear in the visitor's /widget/history, and
 * only the holder of a matching token may continue or resolve them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('conversations')
    .addColumn('contact_verified', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .createIndex('threads_conversation')
    .on('threads')
    .columns(['conversation_id', 'created_at'])
    .execute()
}
