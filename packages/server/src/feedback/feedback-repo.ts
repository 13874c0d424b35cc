import type { Db } from '../db/schema.ts'

/** A vote as stored: one per message (see migration 0020). */
export interface FeedbackVote {
  message_id: string
  tenant_id: string
  conversation_id: string
  rating: 'up' | 'down'
  comment: string | null
  at: string
}

/**
 * Records the vote on a message, replacing an earlier one (the first vote's `created_at` stays).
 */
export async function upsertMessageFeedback(db: Db, v: FeedbackVote): Promise<void> {
  await db
    .insertInto('message_feedback')
    .values({
      message_id: v.message_id,
      tenant_id: v.tenant_id,
      conversation_id: v.conversation_id,
      rating: v.rating,
      comment: v.comment,
      created_at: v.at,
      updated_at: v.at,
    })
    .onConflict((oc) =>
      oc
        .column('message_id')
        .doUpdateSet({ rating: v.rating, comment: v.comment, updated_at: v.at }),
    )
    .execute()
}

/** A satisfaction score as stored: one per conversation. */
export interface CsatResponse {
  conversation_id: string
  tenant_id: string
  score: number
  comment: string | null
  at: string
}

/** Records the conversation's score, replacing an earlier one. */
export async function upsertConversationCsat(db: Db, r: CsatResponse): Promise<void> {
  await db
    .insertInto('conversation_csat')
    .values({
      conversation_id: r.conversation_id,
      tenant_id: r.tenant_id,
      score: r.score,
      comment: r.comment,
      created_at: r.at,
      updated_at: r.at,
    })
    .onConflict((oc) =>
      oc
        .column('conversation_id')
        .doUpdateSet({ score: r.score, comment: r.comment, updated_at: r.at }),
    )
    .execute()
}
