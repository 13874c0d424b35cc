import type { AnalyticsInterval } from '@aurion/contract'
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { writeRandomHistory } from '../../test/analytics-history.ts'
import { createTestDatabase, createTestTenant, forEachDialect } from '../../test/helpers.ts'
import type { DbHandle } from '../db/connect.ts'
import { seededRandom } from '../seeded-random.ts'
import { countVotes, listConversationFacts, summariseCsat } from './analytics-repo.ts'
import { buildOverview } from './overview.ts'
import { type Period, parsePeriod } from './period.ts'
import { outcomeOf } from './resolution.ts'
import { bucketIndex, bucketStarts } from './time-buckets.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const START = Date.UTC(2026, 10, 2, 5, 17, 3, 400)
const SPAN = 9 * DAY
/** "Now": inside the history, so some conversations are still within their 24 hours. */
const NOW = START + SPAN - 10 * HOUR

/** Exact median of waits in ms, in seconds to the tenth (as the API gives it). */
function exactMedian(ms: number[]): number | null {
  if (ms.length === 0) return null
  const s = [...ms].sort((x, y) => x - y)
  const mid = s.length >> 1
  const m = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
  return Math.round((Math.round(m) / 1000) * 10) / 10
}

/**
 * The overview computed from scratch: every conversation of the period read and classified by
 * `outcomeOf`, visitor messages counted, exact medians.
 */
async function fromScratch(
  h: DbHandle,
  tenant: string,
  period: Period,
  interval: AnalyticsInterval,
) {
  const facts = await listConversationFacts(h.db, tenant, period.fromIso, period.toIso)
  const starts = bucketStarts(period.from, period.to, interval, period.tz, 400)
  const series = starts.map((s) => ({
    start: new Date(s).toISOString(),
    conversations: 0,
    resolved_by_ai: 0,
    handed_off: 0,
  }))
  let resolved = 0
  let handedOff = 0
  const ai: number[] = []
  const human: number[] = []
  for (const c of facts) {
    const outcome = outcomeOf(c, c.last_answer_rating ?? undefined, NOW)
    const bucket = series[bucketIndex(starts, Date.parse(c.created_at))]
    if (bucket) bucket.conversations++
    if (outcome === 'resolved_by_ai') {
      resolved++
      if (bucket) bucket.resolved_by_ai++
    }
    if (outcome === 'handed_off') {
      handedOff++
      if (bucket) bucket.handed_off++
    }
    for (const [into, a, b] of [
      [ai, c.first_visitor_at, c.first_ai_at],
      [human, c.handoff_requested_at, c.first_human_reply_at],
    ] as const) {
      const w = a === null || b === null ? -1 : Date.parse(b) - Date.parse(a)
      if (w >= 0) into.push(w)
    }
  }
  const { rows } = await sql<{ n: number | string }>`
    select count(*) as n from messages where tenant_id = ${tenant} and sender_type = 'contact'
      and created_at >= ${period.fromIso} and created_at < ${period.toIso}`.execute(h.db)
  const n = facts.length
  const rate = (x: number) => (n === 0 ? null : Math.round((x / n) * 10_000) / 10_000)
  const csat = await summariseCsat(h.db, tenant, period.fromIso, period.toIso)
  return {
    conversations: n,
    visitor_messages: Number(rows[0]!.n),
    resolved_by_ai: resolved,
    handed_off: handedOff,
    ai_resolution_rate: rate(resolved),
    handoff_rate: rate(handedOff),
    feedback: await countVotes(h.db, tenant, period.fromIso, period.toIso),
    csat: {
      average: csat.responses === 0 ? null : Math.round((csat.sum / csat.responses) * 100) / 100,
      responses: csat.responses,
    },
    first_response_seconds: { ai_p50: exactMedian(ai), human_p50: exactMedian(human) },
    series,
  }
}

forEachDialect('overview from the rollups', (dialect) => {
  let h: DbHandle
  let tenant: string
  beforeAll(async () => {
    h = await createTestDatabase(dialect)
    tenant = (await createTestTenant(h.db)).tenantId
    const other = (await createTestTenant(h.db)).tenantId
    await writeRandomHistory(h.db, tenant, { seed: 11, count: 150, start: START, spanMs: SPAN })
    await writeRandomHistory(h.db, other, { seed: 12, count: 20, start: START, spanMs: SPAN })
  })
  afterAll(async () => h.close())

  it('equals the from-scratch computation over random periods, time zones and intervals', async () => {
    const rnd = seededRandom(7)
    const zones = ['UTC', 'Europe/Berlin', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham']
    // Whole days and quarter hours, instants within them, periods shorter than a quarter hour.
    const cases: [number, number][] = [
      [START - DAY, START + SPAN + DAY],
      [Date.UTC(2026, 10, 3), Date.UTC(2026, 10, 8)],
      [Date.UTC(2026, 10, 4, 9, 15), Date.UTC(2026, 10, 4, 9, 27, 30)],
    ]
    for (let i = 0; i < 9; i++) {
      const a = START + Math.floor(rnd() * SPAN)
      const b = START + Math.floor(rnd() * SPAN)
      if (a !== b) cases.push([Math.min(a, b), Math.max(a, b)])
    }
    for (const [i, [from, to]] of cases.entries()) {
      const tz = zones[i % zones.length]!
      const interval: AnalyticsInterval = i % 3 === 2 ? 'week' : 'day'
      const period = parsePeriod({
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        tz,
      })
      const got = await buildOverview(h.db, dialect, tenant, period, interval, NOW)
      expect(got, `${period.fromIso} – ${period.toIso} ${tz} ${interval}`).toEqual(
        await fromScratch(h, tenant, period, interval),
      )
      if (i === 0) {
        expect(got.conversations).toBeGreaterThan(100)
        expect(got.resolved_by_ai).toBeGreaterThan(0)
        expect(got.first_response_seconds.human_p50).not.toBeNull()
      }
    }
  })
})
