import type { FeedbackRating } from '@aurion/contract'
import type { RouteContext } from '../app-deps.ts'
import { findThreadContext } from '../conversations/conversation-repo.ts'
import { findMessageForTenant } from '../conversations/message-repo.ts'
import type { ConversationRow, TenantAccess, ThreadRow } from '../conversations/types.ts'
import { mayUseConversation } from '../conversations/visitor-access.ts'
import { forbidden, invalidField, notFound } from '../errors.ts'
import { nowIso } from '../ids.ts'
import type { VisitorIdentity } from '../visitors/visitor-auth.ts'
import { emitWebhookEvent } from '../webhooks/events.ts'
import { upsertConversationCsat, upsertMessageFeedback } from './feedback-repo.ts'

type Ctx = Pick<RouteContext, 'db'>

/**
 * The visitor's thread and its conversation, by the reference the widget holds — only when the
 * visitor may use it (`visitor-access.ts`). Anything else is the same 404 as an unknown thread.
 */
async function ownThread(
  ctx: Ctx,
  tenantId: string,
  threadRef: string,
  identity: VisitorIdentity,
): Promise<{ thread: ThreadRow; conversation: ConversationRow }> {
  const found = await findThreadContext(ctx.db, tenantId, threadRef)
  if (!found || !mayUseConversation(found.conversation, found.contact?.email, identity, true)) {
    throw notFound('Thread not found')
  }
  return found
}

/**
 * The tenant's switch for this kind of feedback (`feedback_enabled`, `csat_enabled`): off means
 * the widget does not offer it and the API refuses it (403), before anything is looked up.
 */
function requireSwitch(access: TenantAccess, what: 'feedback_enabled' | 'csat_enabled'): void {
  if (access.config[what] === false) {
    throw forbidden(
      what === 'feedback_enabled'
        ? 'Feedback on answers is turned off for this widget'
        : 'The satisfaction question is turned off for this widget',
    )
  }
}

/** Blank comments are no comment. */
function cleanComment(comment: string | undefined): string | null {
  const c = comment?.trim()
  return c ? c : null
}

/**
 * A visitor's thumbs up/down on one assistant answer of their own thread. A second vote replaces
 * the first. The answer must be in the thread's conversation (else 404, like a foreign thread)
 * and be the assistant's (a visitor's or a person's message is a 422). `feedback.created` is
 * written in the vote's transaction.
 */
export async function rateAnswer(
  ctx: Ctx,
  access: TenantAccess,
  input: {
    threadRef: string
    messageId: string
    rating: FeedbackRating
    comment?: string | undefined
    identity: VisitorIdentity
  },
): Promise<{ message_id: string; rating: FeedbackRating }> {
  requireSwitch(access, 'feedback_enabled')
  const tenantId = access.tenant.id
  const { thread, conversation } = await ownThread(ctx, tenantId, input.threadRef, input.identity)
  const message = await findMessageForTenant(ctx.db, tenantId, input.messageId)
  if (!message || message.conversation_id !== conversation.id) {
    throw notFound('Message not found')
  }
  if (message.sender_type !== 'ai' || Number(message.private) === 1) {
    throw invalidField(['body', 'message_id'], "Only the assistant's answers can be rated")
  }
  const at = nowIso()
  const comment = cleanComment(input.comment)
  await ctx.db.transaction().execute(async (trx) => {
    await upsertMessageFeedback(trx, {
      message_id: message.id,
      tenant_id: tenantId,
      conversation_id: conversation.id,
      rating: input.rating,
      comment,
      at,
    })
    await emitWebhookEvent(trx, tenantId, 'feedback.created', {
      feedback: {
        message_id: message.id,
        conversation_id: conversation.id,
        thread_id: message.thread_id,
        rating: input.rating,
        comment,
        created_at: at,
      },
    })
  })
  return { message_id: message.id, rating: input.rating }
}

/** A visitor's 1–5 satisfaction score for the conversation of their own thread (replaces). */
export async function rateConversation(
  ctx: Ctx,
  access: TenantAccess,
  input: {
    threadRef: string
    score: number
    comment?: string | undefined
    identity: VisitorIdentity
  },
): Promise<{ conversation_id: string; score: number }> {
  requireSwitch(access, 'csat_enabled')
  const tenantId = access.tenant.id
  const { conversation } = await ownThread(ctx, tenantId, input.threadRef, input.identity)
  await upsertConversationCsat(ctx.db, {
    conversation_id: conversation.id,
    tenant_id: tenantId,
    score: input.score,
    comment: cleanComment(input.comment),
    at: nowIso(),
  })
  return { conversation_id: conversation.id, score: input.score }
}
