import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../schema.ts'

/**
 * Webhook events are fanned out to their endpoints after the change they report commits.
 *
 * The message's transaction used to write one event row plus one delivery row per subscribed
 * endpoint, for every event: a visitor message with its reply and a new conversation wrote
 * 3 × (1 + N) rows, 33 with ten endpoints, and the request waited for all of them. Now it
 * writes the event row alone, with the ids of the endpoints subscribed at that moment in
 * `fanout` (a JSON array). The delivery worker turns each such row into its deliveries and
 * clears `fanout`, in one transaction (webhooks/fan-out.ts): what is delivered, and to whom, is
 * decided exactly as before, when the change commits.
 *
 * `webhook_events_fanout` holds only the rows still to fan out (none, most of the time).
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await sql`alter table webhook_events add column fanout text`.execute(db)
  await sql`create index webhook_events_fanout on webhook_events (created_at)
    where fanout is not null`.execute(db)
}
