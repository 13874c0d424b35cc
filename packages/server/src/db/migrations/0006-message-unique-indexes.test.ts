import { sql } from 'kysely'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createTestDatabase, forEachDialect } from '../../../test/helpers.ts'
import { isUniqueViolation } from '../../conversations/db-errors.ts'
import type { DbHandle } from '../connect.ts'
import { migrateToLatest } from '../migrate.ts'

const AT = '2026-11-25T08:00:00.000Z'

forEachDialect('migration 0006 (partial unique indexes on messages)', (dialect) => {
  let h: DbHandle
  beforeEach(async () => {
    h = await createTestDatabase(dialect, '0005-voice-agent-workers')
  })
  afterEach(async () => h.close())

  const insertMessage = (
    id: string,
    tenant: string,
    source: string | null,
    replyTo: string | null,
  ) =>
    sql`insert into messages (id, tenant_id, conversation_id, thread_id, sender_type, body, source_message_id, reply_to_id, channel, metadata, created_at)
      values (${id}, ${tenant}, ${`conv-${tenant}`}, ${`thread-${tenant}`}, ${replyTo ? 'ai' : 'contact'}, ${`body of ${id}`}, ${source}, ${replyTo}, 'chat', ${replyTo ? '{"sources":[]}' : null}, ${AT})`.execute(
      h.db,
    )
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (err: unknown) => err,
    )
  const allMessages = async () =>
    (
      await sql<{ id: string; seq: number | string }>`select * from messages order by seq`.execute(
        h.db,
      )
    ).rows.map((r) => ({ ...r, seq: Number(r.seq) }))

  async function seedTenant(tenant: string) {
    await sql`insert into tenants (id, name, public_widget_key, identity_secret, config, created_at, updated_at)
      values (${tenant}, ${tenant}, ${`vwk_${tenant}`}, 'secret', '{}', ${AT}, ${AT})`.execute(h.db)
    await sql`insert into conversations (id, tenant_id, contact_id, subject, status, created_at, updated_at)
      values (${`conv-${tenant}`}, ${tenant}, null, 'New conversation', 'open', ${AT}, ${AT})`.execute(
      h.db,
    )
    await sql`insert into threads (id, tenant_id, conversation_id, source_thread_id, created_at)
      values (${`thread-${tenant}`}, ${tenant}, ${`conv-${tenant}`}, null, ${AT})`.execute(h.db)
  }

  it('keeps every message and its seq, and the same uniqueness', async () => {
    await seedTenant('t1')
    await seedTenant('t2')
    await insertMessage('m1', 't1', 's1', null)
    await insertMessage('r1', 't1', null, 'm1')
    await insertMessage('m2', 't1', null, null)
    await insertMessage('m3', 't1', 's3', null)
    await insertMessage('r3', 't1', null, 'm3')
    const before = await allMessages()
    expect(before.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5])

    expect(await migrateToLatest(h, '0006-message-unique-indexes')).toEqual([
      '0006-message-unique-indexes',
    ])
    expect(await allMessages()).toEqual(before)

    // A source id is unique per tenant, a reply per message; NULLs never collide.
    expect(isUniqueViolation(await failure(insertMessage('m4', 't1', 's1', null)))).toBe(true)
    expect(isUniqueViolation(await failure(insertMessage('r1b', 't1', null, 'm1')))).toBe(true)
    await insertMessage('m5', 't2', 's1', null)
    await insertMessage('m6', 't1', null, null)
    await insertMessage('m7', 't1', null, null)
    // New rows still come after every row present, in order (PostgreSQL's sequence also
    // skips the values of the failed inserts).
    const after = await allMessages()
    expect(after.slice(-3).map((m) => m.id)).toEqual(['m5', 'm6', 'm7'])
    const seqs = after.slice(-3).map((m) => m.seq)
    expect(seqs[0]).toBeGreaterThan(5)
    expect(seqs[1]).toBeGreaterThan(seqs[0]!)
    expect(seqs[2]).toBeGreaterThan(seqs[1]!)
    expect(isUniqueViolation(await failure(insertMessage('m1', 't2', 'other', null)))).toBe(true)

    // The foreign keys came along: deleting a conversation deletes its messages, and a message
    // must belong to an existing conversation.
    await sql`delete from conversations where id = 'conv-t2'`.execute(h.db)
    expect((await allMessages()).map((m) => m.id)).not.toContain('m5')
    await sql`delete from threads where id = 'thread-t2'`.execute(h.db)
    expect(await failure(insertMessage('m8', 't2', 's8', null))).toBeInstanceOf(Error)
  })

  it('indexes only the rows that have a source id or a reply target', async () => {
    await migrateToLatest(h, '0006-message-unique-indexes')
    if (dialect === 'sqlite') {
      const indexes = await sql<{ name: string; sql: string | null }>`
        select name, sql from sqlite_master where type = 'index' and tbl_name = 'messages' order by name`.execute(
        h.db,
      )
      expect(indexes.rows.map((r) => r.name)).toEqual([
        'messages_conversation_seq',
        'messages_reply_to',
        'messages_tenant_source',
        // `id`'s unique constraint.
        'sqlite_autoindex_messages_1',
      ])
      expect(indexes.rows[1]!.sql).toMatch(/where reply_to_id is not null$/)
      expect(indexes.rows[2]!.sql).toMatch(/where source_message_id is not null$/)
      // No AUTOINCREMENT: nothing to update in sqlite_sequence per insert.
      const table = await sql<{ sql: string }>`
        select sql from sqlite_master where type = 'table' and name = 'messages'`.execute(h.db)
      expect(table.rows[0]!.sql).not.toMatch(/autoincrement/i)
      // The look-ups by source id and by reply target use them.
      const plan = async (where: string) =>
        JSON.stringify(
          (await sql.raw(`explain query plan select * from messages where ${where}`).execute(h.db))
            .rows,
        )
      expect(await plan("tenant_id = 't' and source_message_id = 's'")).toContain(
        'USING INDEX messages_tenant_source',
      )
      expect(await plan("reply_to_id = 'm'")).toContain('USING INDEX messages_reply_to')
    } else {
      const indexes = await sql<{ indexname: string; indexdef: string }>`
        select indexname, indexdef from pg_indexes
        where schemaname = current_schema() and tablename = 'messages' order by indexname`.execute(
        h.db,
      )
      expect(indexes.rows.map((r) => r.indexname)).toEqual([
        'messages_conversation_seq',
        'messages_id_key',
        'messages_pkey',
        'messages_reply_to',
        'messages_tenant_source',
      ])
      expect(indexes.rows[3]!.indexdef).toMatch(/WHERE \(reply_to_id IS NOT NULL\)$/)
      expect(indexes.rows[4]!.indexdef).toMatch(/WHERE \(source_message_id IS NOT NULL\)$/)
    }
  })
})
