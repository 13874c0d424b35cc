import type { AnalyticsInterval, AnalyticsOverviewResponse } from '@aurion/contract'
import type { Db } from '../db/schema.ts'
import {
  type ConversationFacts,
  countVisitorMessages,
  countVotes,
  listConversationFacts,
  listVotesOfPeriodConversations,
  summariseCsat,
} from './analytics-repo.ts'
import type { Period } from './period.ts'
import { type Outcome, outcomeOf } from './resolution.ts'
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
const seconds = (from: string | null, to: string | null) =>
  from === null || to === null ? undefined : (Date.parse(to) - Date.parse(from)) / 1000

/** Every conversation of the period with its outcome (for the overview and per-agent figures). */
export async function classifyConversations(
  db: Db,
  tenantId: string,
  period: Period,
  now = Date.now(),
): Promise<{ facts: ConversationFacts; outcome: Outcome }[]> {
  const [facts, votes] = await Promise.all([
    listConversationFacts(db, tenantId, period.fromIso, period.toIso),
    listVotesOfPeriodConversations(db, tenantId, period.fromIso, period.toIso),
  ])
  const voteAt = new Map(votes.map((v) => [`${v.conversation_id}#${v.seq}`, v.rating]))
  return facts.map((f) => ({
    facts: f,
    outcome: outcomeOf(f, voteAt.get(`${f.id}#${f.last_answer_seq}`), now),
  }))
}

/** `GET /api/v1/analytics/overview`: the figures of docs/analytics.md for one period. */
export async function buildOverview(
  db: Db,
  tenantId: string,
  period: Period,
  interval: AnalyticsInterval,
  now = Date.now(),
): Promise<AnalyticsOverviewResponse> {
  const [classified, visitorMessages, feedback, csat] = await Promise.all([
    classifyConversations(db, tenantId, period, now),
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
  let resolved = 0
  let handedOff = 0
  const aiWaits: number[] = []
  const humanWaits: number[] = []
  for (const { facts: f, outcome } of classified) {
    if (outcome === 'resolved_by_ai') resolved++
    if (outcome === 'handed_off') handedOff++
    const bucket = series[bucketIndex(starts, Date.parse(f.created_at))]
    if (bucket) {
      bucket.conversations++
      if (outcome === 'resolved_by_ai') bucket.resolved_by_ai++
      if (outcome === 'handed_off') bucket.handed_off++
    }
    const ai = seconds(f.first_visitor_at, f.first_ai_at)
    if (ai !== undefined && ai >= 0) aiWaits.push(ai)
    const human = seconds(f.handoff_requested_at, f.first_human_reply_at)
    if (human !== undefined && human >= 0) humanWaits.push(human)
  }
  const conversations = classified.length
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
    first_response_seconds: { ai_p50: median(aiWaits), human_p50: median(humanWaits) },
    series,
  }
}
