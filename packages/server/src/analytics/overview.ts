import type { AnalyticsInterval, AnalyticsOverviewResponse } from '@aurion/contract'
import type { Db, Dialect } from '../db/schema.ts'
import {
  countOutcomesByQuarterHour,
  countVisitorMessages,
  countVotes,
  medianFirstResponses,
  summariseCsat,
} from './analytics-repo.ts'
import type { Period } from './period.ts'
import { ASSUMED_RESOLUTION_MS } from './resolution.ts'
import { bucketIndex, bucketStarts } from './time-buckets.ts'

/** Median of the values (null without any), rounded to a tenth. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  const m = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
  return Math.round(m * 10) / 10
}

const ratio = (n: number, of: number) => (of === 0 ? null : Math.round((n / of) * 10_000) / 10_000)

/**
 * `GET /api/v1/analytics/overview`: the figures of docs/analytics.md for one period. Counted in
 * the database from what migration 0030 keeps on each conversation (outcomes per quarter hour,
 * median waits), so the answer costs the same for a thousand conversations or a million messages.
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
  const [outcomes, waits, visitorMessages, feedback, csat] = await Promise.all([
    countOutcomesByQuarterHour(db, tenantId, period.fromIso, period.toIso, cutoffIso),
    medianFirstResponses(db, dialect, tenantId, period.fromIso, period.toIso),
    countVisitorMessages(db, tenantId, period.fromIso, period.toIso),
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
  let conversations = 0
  let resolved = 0
  let handedOff = 0
  for (const { slot, outcome, n } of outcomes) {
    conversations += n
    if (outcome === 'resolved_by_ai') resolved += n
    if (outcome === 'handed_off') handedOff += n
    const bucket = series[bucketIndex(starts, Date.parse(slot))]
    if (bucket) {
      bucket.conversations += n
      if (outcome === 'resolved_by_ai') bucket.resolved_by_ai += n
      if (outcome === 'handed_off') bucket.handed_off += n
    }
  }
  const tenth = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10)
  return {
    conversations,
    visitor_messages: visitorMessages,
    resolved_by_ai: resolved,
    handed_off: handedOff,
    ai_resolution_rate: ratio(resolved, conversations),
    handoff_rate: ratio(handedOff, conversations),
    feedback,
    csat: {
      average: csat.responses === 0 ? null : Math.round((csat.sum / csat.responses) * 100) / 100,
      responses: csat.responses,
    },
    first_response_seconds: { ai_p50: tenth(waits.ai), human_p50: tenth(waits.human) },
    series,
  }
}
