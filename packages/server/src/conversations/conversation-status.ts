import type { RouteContext } from '../app-deps.ts'
import { notFound } from '../errors.ts'
import { publishConversationState } from '../handoff/conversation-state.ts'
import { nowIso } from '../ids.ts'
import type { VisitorIdentity } from '../visitors/visitor-auth.ts'
import { emitConversationResolved } from '../webhooks/conversation-events.ts'
import {
  findConversationForTenant,
  listThreadsOfConversation,
  updateConversation,
} from './conversation-repo.ts'
import type { ConversationRow, ServiceOptions, TenantAccess } from './types.ts'
import { mayUseConversationById } from './visitor-access.ts'

type Ctx = Pick<RouteContext, 'db' | 'bus'>

/**
 * Sets a conversation's status and tells every socket following one of its threads. No access
 * checks: see {@link resolveConversationAsVisitor} for the visitor's path.
 */
export async function setConversationStatus(
  ctx: Ctx,
  tenantId: string,
  conversationId: string,
  status: 'open' | 'resolved',
  opts: ServiceOptions = {},
): Promise<ConversationRow> {
  const conversation = await findConversationForTenant(ctx.db, tenantId, conversationId)
  if (!conversation) throw notFound('Conversation not found')
  if (conversation.status === status) return conversation
  const updated_at = nowIso()
  await ctx.db.transaction().execute(async (trx) => {
    await updateConversation(trx, tenantId, conversationId, { status, updated_at })
    if (status === 'resolved')
      await emitConversationResolved(trx, { ...conversation, status, updated_at })
  })
  const next = { ...conversation, status, updated_at }
  // The `conversation_status` frame and the hand-off's `conversation` frame, and the inbox's event.
  await publishConversationState(ctx, next, { origin: opts.origin, statusChanged: true })
  return next
}

/**
 * The visitor closes their conversation (the rule of `visitor-access.ts`: their token, or for a
 * conversation nobody claimed, one of its threads). Anything else is the same 404 as an unknown
 * id, so conversation ids cannot be probed.
 */
export async function resolveConversationAsVisitor(
  ctx: Ctx,
  access: TenantAccess,
  conversationId: string,
  proof: { identity?: VisitorIdentity | undefined; sourceThreadId?: string | undefined },
  opts: ServiceOptions = {},
): Promise<ConversationRow> {
  const tenantId = access.tenant.id
  const allowed = await mayUseConversationById(
    ctx.db,
    tenantId,
    conversationId,
    proof.identity ?? {},
    proof.sourceThreadId,
  )
  if (!allowed) throw notFound('Conversation not found')
  return setConversationStatus(ctx, tenantId, conversationId, 'resolved', opts)
}
