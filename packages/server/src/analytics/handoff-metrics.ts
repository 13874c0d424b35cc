import type { HandoffMetricsResponse } from '@aurion/contract'
import type { Db } from '../db/schema.ts'
import {
  type ConversationFacts,
  countPersonReplies,
  listConversationFacts,
  listTenantUsersById,
} from './analytics-repo.ts'
import { median } from './overview.ts'
import type { Period } from './period.ts'

/** The `p`th percentile (0–100, linear between ranks) of the values, rounded to a tenth. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null
  const s = [...values].sort((a, b) => a - b)
  const rank = (p / 100) * (s.length - 1)
  const lo = Math.floor(rank)
  const hi = Math.ceil(rank)
  const v = s[lo]! + (s[hi]! - s[lo]!) * (rank - lo)
  return Math.round(v * 10) / 10
}

/**
 * Per person whose reply was the first after a hand-off: the seconds each such hand-off waited
 * for it (negative when the reply is stamped before the hand-off: count it, time it not).
 */
export function firstReplyWaits(facts: ConversationFacts[]): Map<string, number[]> {
  const waits = new Map<string, number[]>()
  for (const f of facts) {
    const user = f.first_human_reply_user_id
    if (user === null || f.handoff_requested_at === null || f.first_human_reply_at === null)
      continue
    const s = (Date.parse(f.first_human_reply_at) - Date.parse(f.handoff_requested_at)) / 1000
    const list = waits.get(user)
    if (list) list.push(s)
    else waits.set(user, [s])
  }
  return waits
}

/**
 * `GET /api/v1/conversations/handoff-metrics`: the hand-offs of the conversations started in
 * the period, how many a person answered, how fast (p50/p90), and the same per person.
 */
export async function buildHandoffMetrics(
  db: Db,
  tenantId: string,
  period: Period,
): Promise<HandoffMetricsResponse> {
  const [facts, replies] = await Promise.all([
    listConversationFacts(db, tenantId, period.fromIso, period.toIso),
    countPersonReplies(db, tenantId, period.fromIso, period.toIso),
  ])
  const handedOff = facts.filter((f) => f.handoff_requested_at !== null)
  const waits = firstReplyWaits(handedOff)
  const all = [...waits.values()].flat().filter((s) => s >= 0)
  const users = await listTenantUsersById(db, tenantId, [
    ...new Set([...waits.keys(), ...replies.keys()]),
  ])
  const agents = users
    .map((u) => {
      const list = waits.get(u.id) ?? []
      return {
        user_id: u.id,
        name: u.name,
        handoffs_answered: list.length,
        first_reply_seconds_p50: median(list.filter((s) => s >= 0)),
        replies: replies.get(u.id) ?? 0,
        email: u.email,
      }
    })
    .sort(
      (a, b) =>
        b.handoffs_answered - a.handoffs_answered ||
        b.replies - a.replies ||
        a.email.localeCompare(b.email),
    )
    .map(({ email: _email, ...agent }) => agent)
  return {
    from: period.fromIso,
    to: period.toIso,
    handoffs: handedOff.length,
    handoffs_answered: handedOff.filter((f) => f.first_human_reply_at !== null).length,
    first_human_reply_seconds: { p50: median(all), p90: percentile(all, 90) },
    agents,
  }
}
