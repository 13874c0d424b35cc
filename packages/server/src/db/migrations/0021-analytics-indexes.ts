import { type Kysely, sql } from 'kysely'

/**
 * Indexes of the analytics (issue 21): the period's conversations of a tenant by start time,
 * the period's messages of a tenant by sender and time (visitor message counts, cited answers),
 * and the replies flagged unanswered by time — a partial index whose condition is the one the
 * unanswered query writes word for word (analytics/analytics-repo.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index conversations_tenant_created
    on conversations (tenant_id, created_at)`.execute(db)
  await sql`create index messages_tenant_sender_created
    on messages (tenant_id, sender_type, created_at)`.execute(db)
  await sql`create index messages_tenant_unanswered
    on messages (tenant_id, created_at)
    where sender_type = 'ai' and metadata like '%"unanswered":true%'`.execute(db)
}
