import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, createTestTenant, testDialects } from '../../test/helpers.ts'
import type { DbHandle } from '../db/connect.ts'
import type { Db } from '../db/schema.ts'

/**
 * On PostgreSQL the rollups (migration 0031) are updated in every visitor message's
 * transaction. Were they one row per tenant and quarter hour, a writer would wait for every
 * other writer of the tenant to commit; the conversation picks one of the row's shards, so two
 * conversations wait for each other only when their shards meet. Shown with a lock time limit:
 * a second writer in another shard goes on while the first holds its transaction open, and one
 * in the same shard waits (its time limit ends it).
 */
describe.runIf(testDialects().includes('postgres'))(
  'rollup rows under concurrent writers [postgres]',
  () => {
    let database: DbHandle
    let tenantId: string
    const at = '2026-03-02T10:01:00.000Z'
    const ids: string[] = []
    beforeAll(async () => {
      database = await createTestDatabase('postgres')
      tenantId = (await createTestTenant(database.db)).tenantId
      for (let i = 0; i < 24; i++) {
        const id = `conv_rc${i}`
        ids.push(id)
        await sql`insert into conversations (id, tenant_id, subject, status, created_at, updated_at)
        values (${id}, ${tenantId}, 'Subject', 'open', ${at}, ${at})`.execute(database.db)
        await sql`insert into threads (id, tenant_id, conversation_id, created_at)
        values (${`${id}-t`}, ${tenantId}, ${id}, ${at})`.execute(database.db)
      }
    })
    afterAll(async () => {
      await database.close()
    })

    const shardOf = async (id: string) =>
      Number(
        (await sql<{ s: number }>`select abs(hashtext(${id})) % 8 as s`.execute(database.db))
          .rows[0]!.s,
      )
    let n = 0
    const visitorMessage = (db: Db, conversationId: string) =>
      sql`insert into messages (id, tenant_id, conversation_id, thread_id, sender_type, body, private, created_at)
      values (${`msg_rc${n++}`}, ${tenantId}, ${conversationId}, ${`${conversationId}-t`}, 'contact', 'Hello', 0, ${at})`.execute(
        db,
      )

    /** Writes in `second` while a transaction that wrote in `first` is still open. */
    async function whileOpen(first: string, second: string): Promise<'went on' | 'waited'> {
      let release!: () => void
      const held = new Promise<void>((r) => {
        release = r
      })
      let wrote!: () => void
      const written = new Promise<void>((r) => {
        wrote = r
      })
      const open = database.db.transaction().execute(async (trx) => {
        await visitorMessage(trx, first)
        wrote()
        await held
      })
      await written
      try {
        await database.db.transaction().execute(async (trx) => {
          await sql`set local lock_timeout = '1500ms'`.execute(trx)
          await visitorMessage(trx, second)
        })
        return 'went on'
      } catch (err) {
        if ((err as { code?: string }).code === '55P03') return 'waited'
        throw err
      } finally {
        release()
        await open
      }
    }

    it('a writer in another shard goes on; one in the same shard waits for the first to commit', async () => {
      const shards = await Promise.all(ids.map(shardOf))
      const a = ids[0]!
      const other = ids[shards.findIndex((s) => s !== shards[0])]!
      const same = ids[shards.findIndex((s, i) => i > 0 && s === shards[0])]!
      expect(other).toBeDefined()
      expect(same).toBeDefined()
      expect(await whileOpen(a, other)).toBe('went on')
      expect(await whileOpen(a, same)).toBe('waited')
      // Both shards' rows sum to every visitor message stored.
      const { rows } = await sql<{ total: string }>`
      select sum(visitor_messages) as total from analytics_slots where tenant_id = ${tenantId}`.execute(
        database.db,
      )
      const stored = await sql<{ n: string }>`
      select count(*) as n from messages where tenant_id = ${tenantId} and sender_type = 'contact'`.execute(
        database.db,
      )
      expect(Number(rows[0]!.total)).toBe(Number(stored.rows[0]!.n))
      expect(Number(stored.rows[0]!.n)).toBe(3)
    })
  },
)
