import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../schema.ts'

/**
 * The partial index of replies flagged unanswered (migration 0021) keeps only its `metadata like`
 * condition on SQLite, without `sender_type = 'ai'`.
 *
 * Why: SQLite checks a query's WHERE against every partial index of the table, and when a term
 * compares a column with a bound parameter (`sender_type = ?`) while the index's condition compares
 * it with a constant, it marks the statement to be compiled again each time that parameter is
 * bound, so that the index can be used when the value happens to match. Every statement of the
 * message path that names a sender type with a parameter (the thread look-up, the subject update
 * after the first reply — with the rollup triggers compiled into it) was compiled anew for every
 * message: 190 µs instead of 6–10 µs for the subject update. Replies are the only messages that
 * carry the flag, so the index holds the same rows; the unanswered query's terms still imply its
 * condition. PostgreSQL plans differently and keeps its index as it is.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== 'sqlite') return
  await sql`drop index messages_tenant_unanswered`.execute(db)
  await sql`create index messages_tenant_unanswered
    on messages (tenant_id, created_at)
    where metadata like '%"unanswered":true%'`.execute(db)
}
