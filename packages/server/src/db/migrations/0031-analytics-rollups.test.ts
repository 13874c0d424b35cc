import { sql } from 'kysely'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { writeRandomHistory } from '../../../test/analytics-history.ts'
import { createTestDatabase, createTestTenant, forEachDialect } from '../../../test/helpers.ts'
import { listConversationFacts } from '../../analytics/analytics-repo.ts'
import { outcomeOf } from '../../analytics/resolution.ts'
import { waitBin } from '../../analytics/wait-histogram.ts'
import type { DbHandle } from '../connect.ts'
import { migrateToLatest } from '../migrate.ts'

const DAY = 86_400_000
const START = Date.UTC(2026, 9, 20, 13, 7)

forEachDialect('migration 0031 (analytics rollups)', (dialect) => {
  let h: DbHandle
  let a: string
  let b: string
  beforeEach(async () => {
    h = await createTestDatabase(dialect, '0030-conversation-stats')
    a = (await createTestTenant(h.db)).tenantId
    b = (await createTestTenant(h.db)).tenantId
  })
  afterEach(async () => h.close())

  /** The rollups computed from scratch: conversations, messages and the resolution rule. */
  const fromScratch = async () => {
    const slots = new Map<string, number[]>()
    const bins = new Map<string, number[]>()
    const bump = (map: Map<string, number[]>, key: string, values: number[]) => {
      const row = map.get(key) ?? values.map(() => 0)
      map.set(
        key,
        row.map((v, i) => v + values[i]!),
      )
    }
    for (const tenant of [a, b]) {
      for (const c of await listConversationFacts(h.db, tenant, '1970-01-01', '9999-01-01')) {
        const at = (now: number) => outcomeOf(c, c.last_answer_rating ?? undefined, now)
        const kind =
          at(0) === 'handed_off'
            ? 1
            : at(Number.NEGATIVE_INFINITY) === 'resolved_by_ai'
              ? 2
              : at(Number.POSITIVE_INFINITY) === 'resolved_by_ai'
                ? 3
                : 0
        const t = Date.parse(c.created_at)
        bump(slots, `${tenant}|${Math.floor(t / 900_000)}`, [
          1,
          kind === 1 ? 1 : 0,
          kind === 2 ? 1 : 0,
          kind === 3 ? 1 : 0,
          0,
        ])
        for (const [name, from, to] of [
          ['ai', c.first_visitor_at, c.first_ai_at],
          ['human', c.handoff_requested_at, c.first_human_reply_at],
        ] as const) {
          if (from === null || to === null) continue
          const w = Date.parse(to) - Date.parse(from)
          if (w >= 0) bump(bins, `${tenant}|${name}|${Math.floor(t / DAY)}|${waitBin(w)}`, [1, w])
        }
      }
    }
    const visitors = await sql<{ tenant_id: string; created_at: string }>`
      select tenant_id, created_at from messages where sender_type = 'contact'`.execute(h.db)
    for (const m of visitors.rows)
      bump(
        slots,
        `${m.tenant_id}|${Math.floor(Date.parse(m.created_at) / 900_000)}`,
        [0, 0, 0, 0, 1],
      )
    return { slots: Object.fromEntries(slots), bins: Object.fromEntries(bins) }
  }
  /** The rollup tables summed over their shards, rows counting nothing left out. */
  const kept = async () => {
    const slots = await sql<Record<string, string | number>>`
      select tenant_id, slot, sum(started) as started, sum(handed_off) as handed_off,
        sum(resolved) as resolved, sum(assumable) as assumable,
        sum(visitor_messages) as visitor_messages
      from analytics_slots group by tenant_id, slot
      having sum(started) <> 0 or sum(visitor_messages) <> 0`.execute(h.db)
    const bins = await sql<Record<string, string | number>>`
      select tenant_id, kind, day, bin, sum(n) as n, sum(total_ms) as total_ms
      from analytics_wait_bins group by tenant_id, kind, day, bin
      having sum(n) <> 0`.execute(h.db)
    const n = Number
    return {
      slots: Object.fromEntries(
        slots.rows.map((r) => [
          `${r.tenant_id}|${r.slot}`,
          [n(r.started), n(r.handed_off), n(r.resolved), n(r.assumable), n(r.visitor_messages)],
        ]),
      ),
      bins: Object.fromEntries(
        bins.rows.map((r) => [
          `${r.tenant_id}|${r.kind}|${r.day}|${r.bin}`,
          [n(r.n), n(r.total_ms)],
        ]),
      ),
    }
  }

  it('fills the rollups from existing rows, then keeps them through inserts, updates and deletes', async () => {
    const span = 3 * DAY
    await writeRandomHistory(h.db, a, { seed: 1, count: 80, start: START, spanMs: span })
    await writeRandomHistory(h.db, b, { seed: 2, count: 30, start: START, spanMs: span })
    await migrateToLatest(h)
    const filled = await kept()
    expect(Object.keys(filled.slots).length).toBeGreaterThan(20)
    expect(Object.keys(filled.bins).length).toBeGreaterThan(20)
    expect(filled).toEqual(await fromScratch())

    const later = await writeRandomHistory(h.db, a, {
      seed: 3,
      count: 80,
      start: START,
      spanMs: span,
    })
    // A conversation deleted with its messages, and older ones changing state.
    await sql`delete from conversations where id = ${later[0]!}`.execute(h.db)
    await sql`update conversations set status = 'resolved' where tenant_id = ${b}`.execute(h.db)
    await sql`update conversations set handoff_requested_at = created_at
      where id in ('h1_1', 'h1_2', 'h1_3')`.execute(h.db)
    expect(await kept()).toEqual(await fromScratch())
  })

  it("goes with the tenant: deleting one leaves the others' rows", async () => {
    await migrateToLatest(h)
    await writeRandomHistory(h.db, a, { seed: 4, count: 10, start: START, spanMs: DAY })
    await writeRandomHistory(h.db, b, { seed: 5, count: 10, start: START, spanMs: DAY })
    await sql`delete from tenants where id = ${b}`.execute(h.db)
    const left = await sql<{ tenant_id: string }>`
      select tenant_id from analytics_slots union all
      select tenant_id from analytics_wait_bins`.execute(h.db)
    expect(left.rows.length).toBeGreaterThan(0)
    expect(new Set(left.rows.map((r) => r.tenant_id))).toEqual(new Set([a]))
    expect(await kept()).toEqual(await fromScratch())
  })
})
