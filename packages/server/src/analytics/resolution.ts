import type { ConversationFacts } from './analytics-repo.ts'

/** Visitors have this long after the assistant's last answer to come back for more help. */
export const ASSUMED_RESOLUTION_MS = 24 * 60 * 60 * 1000

/** How a conversation ended up, for the overview. */
export type Outcome = 'resolved_by_ai' | 'handed_off' | 'other'

/**
 * "Resolved by the assistant", after Intercom's Fin resolution (docs/analytics.md): following
 * the assistant's last *answer* (a reply that cited knowledge — a greeting, small talk or "I
 * don't know" is not one), the visitor
 * - confirmed it: a thumbs-up on that answer, or they resolved the conversation themselves
 *   (confirmed resolution), or
 * - left without asking for more help for 24 hours (assumed resolution);
 * and nobody else had to step in: no hand-off to a person, no person's reply. Asking for more
 * help is anything after the last answer that the assistant could not answer, a visitor message
 * it did not reply to, or a thumbs-down on the last answer.
 */
export function outcomeOf(
  c: ConversationFacts,
  lastAnswerRating: string | undefined,
  now: number,
): Outcome {
  if (c.handoff_requested_at !== null || c.person_messages > 0) return 'handed_off'
  if (c.answers === 0 || c.last_answer_seq === null) return 'other'
  const asked = c.last_answer_seq
  if (c.last_unanswered_seq !== null && c.last_unanswered_seq > asked) return 'other'
  if (
    c.last_visitor_seq !== null &&
    (c.last_ai_seq === null || c.last_visitor_seq > c.last_ai_seq)
  ) {
    return 'other'
  }
  if (lastAnswerRating === 'down') return 'other'
  if (lastAnswerRating === 'up' || c.status === 'resolved') return 'resolved_by_ai'
  const quietSince = Date.parse(c.last_message_at ?? c.created_at)
  return now - quietSince >= ASSUMED_RESOLUTION_MS ? 'resolved_by_ai' : 'other'
}
