import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../schema.ts'
import {
  foldNewMessage,
  messagesStatsFunction,
  messagesStatsSqliteTrigger,
} from './0030-conversation-stats.ts'

/** A conversation's `updated_at` follows its newest message (never goes back). */
const ACTIVITY = `updated_at = case when new.created_at > updated_at then new.created_at else updated_at end`

/**
 * A message moves its conversation's `updated_at` in the insert's trigger (0030's), instead of in
 * an `update` of its own.
 *
 * Every path that stores a message (visitor, AI reply, person, voice) then set `updated_at` to
 * the time of that message with a second update of the same row: the trigger already rewrote it
 * for the analytics figures, so each message rewrote its conversation twice, and a widget message
 * with its reply four times (`npm run bench -- --only=http`). The trigger now also takes
 * `updated_at` to the message's `created_at` when that is later; the services no longer write it
 * for a message (they still do for status, hand-off and claim changes).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const set = `${foldNewMessage()},\n      ${ACTIVITY}`
  if (dialect === 'postgres') {
    // The trigger calls the function by name: replacing it is enough.
    await sql.raw(messagesStatsFunction(set, true)).execute(db)
    return
  }
  await sql`drop trigger messages_conversation_stats`.execute(db)
  await sql.raw(messagesStatsSqliteTrigger(set)).execute(db)
}
