import {
  type AnalyticsUnansweredResponse,
  UNANSWERED_MAX_LINKS,
  type UnansweredGroup,
} from '@aurion/contract'
import { toApiTimestamp } from '../conversations/frames.ts'
import type { Db, Dialect } from '../db/schema.ts'
import { Lru } from '../lru.ts'
import { listMissedQuestions, type MissedQuestion } from './analytics-repo.ts'
import type { Period } from './period.ts'
import { groupSimilarQuestions, normalizeWording, questionTerms } from './question-groups.ts'

/** Questions read per request at most (the most recent): the grouping stays fast. */
export const MAX_QUESTIONS = 5000
const MAX_WORDINGS = 5

// A question's terms by its message id: messages are never edited, so an entry stays right.
// Reading the terms (language, tokens, stems) is most of the grouping's cost, and the same
// questions come back report after report. Two full reports' worth (a few MB), for all tenants.
const termsById = new Lru<string, ReadonlySet<string>>(4 * MAX_QUESTIONS)

function termsOf(questionId: string, body: string): ReadonlySet<string> {
  let terms = termsById.get(questionId)
  if (terms === undefined) {
    terms = questionTerms(body)
    termsById.set(questionId, terms)
  }
  return terms
}

/**
 * `GET /api/v1/analytics/unanswered`: the questions of the period the assistant had no
 * knowledge for, or whose answer got a thumbs-down, similar wordings grouped; the largest
 * groups first (ties: the most recently asked).
 */
export async function buildUnanswered(
  db: Db,
  dialect: Dialect,
  tenantId: string,
  period: Period,
  limit: number,
  conversationUrl: (conversationId: string) => string,
): Promise<AnalyticsUnansweredResponse> {
  const missed = await listMissedQuestions(
    db,
    dialect,
    tenantId,
    period.fromIso,
    period.toIso,
    MAX_QUESTIONS,
  )
  // One entry per question: unanswered and voted down is still one question.
  const byId = new Map<string, MissedQuestion & { reasons: Set<MissedQuestion['reason']> }>()
  for (const q of missed) {
    const known = byId.get(q.question_id)
    if (known) known.reasons.add(q.reason)
    else byId.set(q.question_id, { ...q, reasons: new Set([q.reason]) })
  }
  const questions = [...byId.values()].sort((a, b) => (a.asked_at < b.asked_at ? 1 : -1))
  // Indices ascend, and questions are newest first: a group's first index is its latest question.
  const ranked = groupSimilarQuestions(
    questions.map((q) => q.body),
    (i) => termsOf(questions[i]!.question_id, questions[i]!.body),
  ).map((indices) => ({ indices, last: toApiTimestamp(questions[indices[0]!]!.asked_at) }))
  ranked.sort((a, b) => b.indices.length - a.indices.length || (a.last < b.last ? 1 : -1))
  // Only the groups shown are described.
  const groups: UnansweredGroup[] = ranked.slice(0, limit).map(({ indices }) => {
    const members = indices.map((i) => questions[i]!)
    const wordings: string[] = []
    const seenWordings = new Set<string>()
    const links: UnansweredGroup['conversations'] = []
    const seenConversations = new Set<string>()
    let noAnswer = 0
    let thumbsDown = 0
    for (const q of members) {
      if (q.reasons.has('no_answer')) noAnswer++
      if (q.reasons.has('thumbs_down')) thumbsDown++
      const w = normalizeWording(q.body)
      if (!seenWordings.has(w) && wordings.length < MAX_WORDINGS) {
        seenWordings.add(w)
        wordings.push(q.body.trim())
      }
      if (!seenConversations.has(q.conversation_id) && links.length < UNANSWERED_MAX_LINKS) {
        seenConversations.add(q.conversation_id)
        links.push({
          conversation_id: q.conversation_id,
          message_id: q.question_id,
          asked_at: toApiTimestamp(q.asked_at),
          url: conversationUrl(q.conversation_id),
        })
      }
    }
    return {
      count: members.length,
      example: members[0]!.body.trim(),
      wordings,
      reasons: { no_answer: noAnswer, thumbs_down: thumbsDown },
      last_asked_at: toApiTimestamp(members[0]!.asked_at),
      conversations: links,
    }
  })
  return { total: questions.length, groups }
}
