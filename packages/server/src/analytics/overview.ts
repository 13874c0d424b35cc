import type { AnalyticsInterval, AnalyticsOverviewResponse } from '@aurion/contract'
import type { Db, Dialect } from '../db/schema.ts'
import {
  countOutcomesByQuarterHour,
  countVisitorMessages,
  countVotes,
  summariseCsat,
} from './analytics-repo.ts'
import { type Period, splitPeriod } from './period.ts'
import { ASSUMED_RESOLUTION_MS } from './resolution.ts'
import { listSlotFigures, listUnsettledAssumable, listWaitBins, listWaits } from './rollup-repo.ts'
import { bucketIndex, bucketStarts } from './time-buckets.ts'
import { addWaits, medianOfBins } from './wait-histogram.ts'

/** Median of the values (null without any), rounded to a tenth. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  const m = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
  return Math.round(m * 10) / 10
}

const ratio = (n: number, of: number) => (of === 0 ? null : Math.round((n / of) * 10_000) / 10_000)

const QUARTER_MS = 900_000
const DAY_MS = 86_400_000

/** A series bucket's or the total's counts. */
interface Counts {
  conversations: number
  resolved_by_ai: number
  handed_off: number
}

/**
 * The median wait of one kind over the period: the days (UTC) wholly inside it from migration
 * 0031's histograms, the pieces of days at its ends from their conversations.
 */
async function medianWaitOf(
  db: Db,
  dialect: Dialect,
  tenantId: string,
  period: Period,
  kind: 'ai' | 'human',
): Promise<number | null> {
  const days = splitPeriod(period.from.getTime(), period.to.getTime(), DAY_MS)
  const [bins, ...edges] = await Promise.all([
    days.first < days.end ? listWaitBins(db, tenantId, kind, days.first, days.end) : [],
    ...days.edges.map(([from, to]) => listWaits(db, dialect, tenantId, kind, from, to)),
  ])
  return medianOfBins(addWaits(bins, edges.flat()))
}

/**
 * `GET /api/v1/analytics/overview`: the figures of docs/analytics.md for one period. Read from
 * the rollups of migration 0031 (quarter hours wholly inside the period; conversations and
 * messages for the pieces at its ends), so the answer costs about the same for a thousand
 * conversations or a million messages.
 */
export async function buildOverview(
  db: Db,
  dialect: Dialect,
  tenantId: string,
  period: Period,
  interval: AnalyticsInterval,
  now = Date.now(),
): Promise<AnalyticsOverviewResponse> {
  const cutoffIso = new Date(now - ASSUMED_RESOLUTION_MS).toISOString()
  const q = splitPeriod(period.from.getTime(), period.to.getTime(), QUARTER_MS)
  const wholeIso = [q.first, q.end].map((s) => new Date(s * QUARTER_MS).toISOString()) as [
    string,
    string,
  ]
  const [slots, unsettled, edgeOutcomes, edgeVisitors, ai, human, feedback, csat] =
    await Promise.all([
      q.first < q.end ? listSlotFigures(db, tenantId, q.first, q.end) : [],
      q.first < q.end ? listUnsettledAssumable(db, tenantId, ...wholeIso, cutoffIso) : [],
      Promise.all(
        q.edges.map(([f, t]) => countOutcomesByQuarterHour(db, tenantId, f, t, cutoffIso)),
      ),
      Promise.all(q.edges.map(([f, t]) => countVisitorMessages(db, tenantId, f, t))),
      medianWaitOf(db, dialect, tenantId, period, 'ai'),
      medianWaitOf(db, dialect, tenantId, period, 'human'),
      countVotes(db, tenantId, period.fromIso, period.toIso),
      summariseCsat(db, tenantId, period.fromIso, period.toIso),
    ])
  const starts = bucketStarts(period.from, period.to, interval, period.tz, 400)
  const series = starts.map((s) => ({
    start: new Date(s).toISOString(),
    conversations: 0,
    resolved_by_ai: 0,
    handed_off: 0,
  }))
  const total: Counts = { conversations: 0, resolved_by_ai: 0, handed_off: 0 }
  const add = (t: number, c: Counts) => {
    const bucket = series[bucketIndex(starts, t)]
    for (const into of bucket ? [total, bucket] : [total]) {
      into.conversations += c.conversations
      into.resolved_by_ai += c.resolved_by_ai
      into.handed_off += c.handed_off
    }
  }
  let visitorMessages = edgeVisitors.reduce((s, n) => s + n, 0)
  for (const s of slots) {
    visitorMessages += s.visitor_messages
    add(s.slot * QUARTER_MS, {
      conversations: s.started,
      resolved_by_ai: s.resolved + s.assumable,
      handed_off: s.handed_off,
    })
  }
  // Counted as resolved by the rollup, but their 24 hours are not over yet.
  for (const at of unsettled)
    add(Date.parse(at), { conversations: 0, resolved_by_ai: -1, handed_off: 0 })
  for (const { slot, outcome, n } of edgeOutcomes.flat()) {
    add(Date.parse(slot), {
      conversations: n,
      resolved_by_ai: outcome === 'resolved_by_ai' ? n : 0,
      handed_off: outcome === 'handed_off' ? n : 0,
    })
  }
  const tenth = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10)
  return {
    conversations: total.conversations,
    visitor_messages: visitorMessages,
    resolved_by_ai: total.resolved_by_ai,
    handed_off: total.handed_off,
    ai_resolution_rate: ratio(total.resolved_by_ai, total.conversations),
    handoff_rate: ratio(total.handed_off, total.conversations),
    feedback,
    csat: {
      average: csat.responses === 0 ? null : Math.round((csat.sum / csat.responses) * 100) / 100,
      responses: csat.responses,
    },
    first_response_seconds: { ai_p50: tenth(ai), human_p50: tenth(human) },
    series,
  }
}
