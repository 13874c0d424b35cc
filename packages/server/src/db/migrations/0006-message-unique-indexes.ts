import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../schema.ts'

/**
 * The two optional unique keys of `messages` become partial indexes over the rows that have
 * them: `source_message_id` (visitor messages; an AI reply has none) and `reply_to_id` (AI
 * replies; a visitor message has none). Full unique constraints indexed every row, the NULLs
 * too, so each message was inserted into an index it does not need, and each commit wrote that
 * index's pages to the log. Uniqueness is unchanged: NULLs never collided.
 *
 * SQLite cannot drop a column's UNIQUE: the table is rebuilt (nothing references `messages`, so
 * dropping the old one deletes nothing else), and `seq` loses AUTOINCREMENT on the way, which
 * cost a `sqlite_sequence` update per insert and a page per commit. `seq` stays the rowid: new
 * rows still get a larger one than every row present, which is all the ordering needs (a value
 * can come back only after the newest message was deleted; seq never leaves the server).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') {
    await sql`alter table messages drop constraint if exists messages_tenant_source`.execute(db)
    await sql`alter table messages drop constraint if exists messages_reply_to_id_key`.execute(db)
  } else {
    await sql`create table messages_new (
      seq integer primary key,
      id text not null unique,
      tenant_id text not null references tenants (id) on delete cascade,
      conversation_id text not null references conversations (id) on delete cascade,
      thread_id text not null references threads (id) on delete cascade,
      sender_type text not null,
      body text not null,
      source_message_id text,
      reply_to_id text,
      channel text default 'chat' not null,
      metadata text,
      created_at text not null
    )`.execute(db)
    const columns = sql.raw(
      'seq, id, tenant_id, conversation_id, thread_id, sender_type, body, source_message_id, reply_to_id, channel, metadata, created_at',
    )
    await sql`insert into messages_new (${columns}) select ${columns} from messages order by seq`.execute(
      db,
    )
    await sql`drop table messages`.execute(db)
    await sql`alter table messages_new rename to messages`.execute(db)
    await sql`create index messages_conversation_seq on messages (conversation_id, seq)`.execute(db)
  }
  await sql`create unique index messages_tenant_source on messages (tenant_id, source_message_id)
    where source_message_id is not null`.execute(db)
  await sql`create unique index messages_reply_to on messages (reply_to_id)
    where reply_to_id is not null`.execute(db)
}
