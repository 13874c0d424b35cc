import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../schema.ts'

/**
 * Attachments leave with their messages, and the upload sweep and quota need indexes:
 * - a trigger deletes a message's uploads when the message is deleted, which is also what
 *   deleting a conversation or a tenant does (messages go by cascade). `uploads.message_id` has
 *   no foreign key, and adding one on SQLite would mean copying every stored file into a new
 *   table. A later migration that rebuilds `messages` on SQLite must recreate the trigger.
 * - uploads already left behind by deleted messages are deleted now;
 * - `uploads_message` serves the trigger, `uploads_unattached_created` the sweep of abandoned
 *   uploads, `uploads_tenant_size` the quota's sum (it replaces `uploads_tenant`).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await sql`delete from uploads where message_id is not null
    and not exists (select 1 from messages where messages.id = uploads.message_id)`.execute(db)
  await sql`create index uploads_message on uploads (message_id)`.execute(db)
  await sql`create index uploads_unattached_created on uploads (created_at)
    where message_id is null`.execute(db)
  await sql`create index uploads_tenant_size on uploads (tenant_id, size_bytes)`.execute(db)
  await sql`drop index uploads_tenant`.execute(db)
  if (dialect === 'postgres') {
    await sql`create function aurion_delete_message_uploads() returns trigger
      language plpgsql set search_path from current as $$
      begin
        delete from uploads where message_id = old.id;
        return old;
      end
      $$`.execute(db)
    await sql`create trigger messages_delete_uploads after delete on messages
      for each row execute function aurion_delete_message_uploads()`.execute(db)
  } else {
    await sql`create trigger messages_delete_uploads after delete on messages
      for each row begin
        delete from uploads where message_id = old.id;
      end`.execute(db)
  }
}
