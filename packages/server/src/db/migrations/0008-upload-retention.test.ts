import { sql } from 'kysely'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createTestDatabase, forEachDialect } from '../../../test/helpers.ts'
import type { DbHandle } from '../connect.ts'
import { migrateToLatest } from '../migrate.ts'

const AT = '2026-11-25T08:00:00.000Z'

forEachDialect('migration 0008 (uploads leave with their messages)', (dialect) => {
  let h: DbHandle
  beforeEach(async () => {
    h = await createTestDatabase(dialect, '0007-visitor-thread-owner')
  })
  afterEach(async () => h.close())

  async function seed(tenant: string, conversations: string[]) {
    await sql`insert into tenants (id, name, public_widget_key, identity_secret, config, created_at, updated_at)
      values (${tenant}, ${tenant}, ${`vwk_${tenant}`}, 'secret', '{}', ${AT}, ${AT})`.execute(h.db)
    for (const c of conversations) {
      await sql`insert into conversations (id, tenant_id, contact_id, subject, status, created_at, updated_at)
        values (${c}, ${tenant}, null, 'New conversation', 'open', ${AT}, ${AT})`.execute(h.db)
      await sql`insert into threads (id, tenant_id, conversation_id, source_thread_id, created_at)
        values (${`th-${c}`}, ${tenant}, ${c}, null, ${AT})`.execute(h.db)
      await sql`insert into messages (id, tenant_id, conversation_id, thread_id, sender_type, body, channel, created_at)
        values (${`m-${c}`}, ${tenant}, ${c}, ${`th-${c}`}, 'contact', 'hi', 'chat', ${AT})`.execute(
        h.db,
      )
    }
  }
  const upload = (id: string, tenant: string, messageId: string | null) =>
    sql`insert into uploads (id, tenant_id, file_name, content_type, size_bytes, sha256, data, message_id, created_at)
      values (${id}, ${tenant}, 'a.txt', 'text/plain', 2, 'x', ${Buffer.from('hi')}, ${messageId}, ${AT})`.execute(
      h.db,
    )
  const uploadIds = async () =>
    (await sql<{ id: string }>`select id from uploads order by id`.execute(h.db)).rows.map(
      (r) => r.id,
    )

  it('deletes uploads already left behind by deleted messages, keeps the rest', async () => {
    await seed('t1', ['c1'])
    await upload('u-attached', 't1', 'm-c1')
    await upload('u-orphan', 't1', 'm-gone')
    await upload('u-unattached', 't1', null)
    await migrateToLatest(h)
    expect(await uploadIds()).toEqual(['u-attached', 'u-unattached'])
  })

  it('afterwards deleting a conversation or a tenant deletes its attachments', async () => {
    await migrateToLatest(h)
    await seed('t1', ['c1', 'c2'])
    await seed('t2', ['c3'])
    await upload('u1', 't1', 'm-c1')
    await upload('u2', 't1', 'm-c2')
    await upload('u3', 't2', 'm-c3')
    await upload('u4', 't2', null)
    await sql`delete from conversations where id = 'c1'`.execute(h.db)
    expect(await uploadIds()).toEqual(['u2', 'u3', 'u4'])
    await sql`delete from messages where id = 'm-c2'`.execute(h.db)
    expect(await uploadIds()).toEqual(['u3', 'u4'])
    await sql`delete from tenants where id = 't2'`.execute(h.db)
    expect(await uploadIds()).toEqual([])
  })
})
