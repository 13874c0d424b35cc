import { sql } from 'kysely'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createTestDatabase, createTestTenant, forEachDialect } from '../../../test/helpers.ts'
import type { DbHandle } from '../connect.ts'

forEachDialect('migration 0034 (a message moves its conversation’s updated_at)', (dialect) => {
  let h: DbHandle
  let tenant: string
  beforeEach(async () => {
    h = await createTestDatabase(dialect)
    tenant = (await createTestTenant(h.db)).tenantId
    await sql`insert into conversations (id, tenant_id, subject, status, created_at, updated_at)
      values ('c1', ${tenant}, 'Subject', 'open', ${at(10)}, ${at(10)})`.execute(h.db)
    await sql`insert into threads (id, tenant_id, conversation_id, created_at)
      values ('c1-t', ${tenant}, 'c1', ${at(10)})`.execute(h.db)
  })
  afterEach(async () => h.close())

  const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 9, minute)).toISOString()
  const message = (id: string, sender: 'contact' | 'ai' | 'agent', minute: number, priv = 0) =>
    sql`insert into messages (id, tenant_id, conversation_id, thread_id, sender_type, body, private, created_at)
      values (${id}, ${tenant}, 'c1', 'c1-t', ${sender}, ${`body ${id}`}, ${priv}, ${at(minute)})`.execute(
      h.db,
    )
  const updatedAt = async () =>
    (
      await sql<{
        updated_at: string
      }>`select updated_at from conversations where id = 'c1'`.execute(h.db)
    ).rows[0]!.updated_at

  it('takes updated_at to each later message, whoever wrote it', async () => {
    await message('m1', 'contact', 11)
    expect(await updatedAt()).toBe(at(11))
    await message('m2', 'ai', 12)
    expect(await updatedAt()).toBe(at(12))
    await message('m3', 'agent', 13, 1)
    expect(await updatedAt()).toBe(at(13))
  })

  it('never takes it back: an older message (an import, a clock behind) leaves it', async () => {
    await message('m1', 'contact', 20)
    await message('m0', 'contact', 5)
    expect(await updatedAt()).toBe(at(20))
  })

  it('still keeps the analytics figures of the insert', async () => {
    await message('m1', 'contact', 11)
    await message('m2', 'ai', 12)
    const r = (
      await sql<{ v: unknown; a: unknown; last: string }>`select stat_first_visitor_at as v,
        stat_first_ai_at as a, stat_last_message_at as last from conversations where id = 'c1'`.execute(
        h.db,
      )
    ).rows[0]!
    expect(r).toEqual({ v: at(11), a: at(12), last: at(12) })
  })
})
