import type { ConversationAssignee, HandoffReason, WsConversationFrame } from '@aurion/contract'
import type { RouteContext } from '../app-deps.ts'
import {
  findConversationForTenant,
  listThreadsOfConversation,
  updateConversation,
} from '../conversations/conversation-repo.ts'
import { publishThreadFrame, statusFrame } from '../conversations/frames.ts'
import type { ConversationRow } from '../conversations/types.ts'
import { invalidField, notFound } from '../errors.ts'
import { nowIso } from '../ids.ts'
import { recordHandoffMetric } from '../metrics.ts'
import { findTenantUser, handoffColumns, recordHandoff } from './handoff-repo.ts'
import { inboxState, publishInboxEvent } from './inbox-events.ts'
import { storeStateChange, writeStateChange } from './state-change.ts'

type Ctx = Pick<RouteContext, 'db' | 'bus'>

/** The name a visitor sees for a person: their name, else the start of their email. */
export function visitorFacingName(user: { name: string | null; email: string }): string {
  const name = user.name?.trim()
  return name ? name : (user.email.split('@')[0] ?? 'Support')
}

async function assigneeOf(db: Ctx['db'], c: ConversationRow): Promise<ConversationAssignee> {
  if (!c.assignee_user_id) return null
  return (await findTenantUser(db, c.tenant_id, { id: c.assignee_user_id })) ?? null
}

/** The `conversation` frame a visitor following `threadId` gets about `c`'s state. */
export function visitorConversationFrame(
  c: ConversationRow,
  threadId: string,
  assignee: ConversationAssignee,
): WsConversationFrame {
  const state = inboxState(c, assignee)
  return {
    type: 'conversation',
    conversation_id: c.id,
    thread_id: threadId,
    status: state.status,
    handled_by: state.handled_by,
    assignee: assignee ? { name: visitorFacingName(assignee) } : null,
  }
}

/** {@link visitorConversationFrame} with the assignee looked up. */
export async function loadVisitorConversationFrame(
  db: Ctx['db'],
  c: ConversationRow,
  threadId: string,
): Promise<WsConversationFrame> {
  return visitorConversationFrame(c, threadId, await assigneeOf(db, c))
}

/**
 * Tells everyone about a conversation's state: a `conversation` frame to every socket following
 * one of its threads (plus the existing `conversation_status` frame when the status changed), and
 * a `conversation` event — or `handoff`, for a new hand-off — to the tenant's consoles.
 */
export async function publishConversationState(
  ctx: Ctx,
  c: ConversationRow,
  opts: { origin?: string | undefined; statusChanged?: boolean; handoffReason?: string } = {},
): Promise<void> {
  const assignee = await assigneeOf(ctx.db, c)
  const threads = await listThreadsOfConversation(ctx.db, c.tenant_id, c.id)
  const state = inboxState(c, assignee)
  for (const t of threads) {
    publishThreadFrame(ctx, t, visitorConversationFrame(c, t.id, assignee), opts.origin)
    if (opts.statusChanged)
      publishThreadFrame(
        ctx,
        t,
        statusFrame({ conversation_id: c.id, thread_id: t.id }, state.status),
        opts.origin,
      )
  }
  publishInboxEvent(
    ctx,
    c.tenant_id,
    opts.handoffReason !== undefined
      ? {
          type: 'handoff',
          reason: opts.handoffReason,
          subject: c.subject,
          thread_id: threads[0]?.id ?? null,
          ...state,
        }
      : { type: 'conversation', ...state },
  )
}

/** A hand-off as stored: the conversation before and after. */
export interface StoredHandoff {
  before: ConversationRow
  next: ConversationRow
  reason: HandoffReason
}

/**
 * Hands a conversation to a person: `handled_by` becomes `human` (the assistant stays silent from
 * now on, until a person gives it back), it is open, and the hand-off's time and reason start the
 * clock of the time to first human reply. A conversation a person already handles is left as it
 * is. Returns the conversation as it is now.
 */
export async function handOffConversation(
  ctx: Ctx,
  tenantId: string,
  conversationId: string,
  reason: HandoffReason,
  opts: { origin?: string | undefined; assigneeUserId?: string | undefined } = {},
): Promise<ConversationRow> {
  const h = await ctx.db
    .transaction()
    .execute((trx) => writeHandoff(trx, tenantId, conversationId, reason, opts))
  if (h.stored) await announceHandoff(ctx, h.stored, opts.origin)
  return h.conversation
}

/**
 * The writes of {@link handOffConversation} inside the caller's transaction `trx` — so a reply
 * that tells the visitor a person is coming is stored exactly when the hand-off is. `stored` is
 * undefined when a person already handled it; then {@link announceHandoff} after the commit.
 */
export async function writeHandoff(
  trx: Ctx['db'],
  tenantId: string,
  conversationId: string,
  reason: HandoffReason,
  opts: { assigneeUserId?: string | undefined } = {},
): Promise<{ conversation: ConversationRow; stored?: StoredHandoff }> {
  const c = await findConversationForTenant(trx, tenantId, conversationId)
  if (!c) throw notFound('Conversation not found')
  if (c.handled_by === 'human') return { conversation: c }
  const at = nowIso()
  const assign =
    opts.assigneeUserId !== undefined && !c.assignee_user_id
      ? { assignee_user_id: opts.assigneeUserId }
      : {}
  const next: ConversationRow = {
    ...c,
    ...assign,
    ...handoffColumns(at, reason),
  }
  await writeStateChange(
    trx,
    c,
    next,
    (t) => recordHandoff(t, tenantId, conversationId, at, reason, assign),
    reason,
  )
  return { conversation: next, stored: { before: c, next, reason } }
}

/** After a hand-off's commit: its metric, the visitor's frames and the consoles' event. */
export async function announceHandoff(
  ctx: Ctx,
  h: StoredHandoff,
  origin?: string | undefined,
): Promise<void> {
  recordHandoffMetric(h.reason)
  await publishConversationState(ctx, h.next, {
    origin,
    statusChanged: h.before.status !== 'open',
    handoffReason: h.reason,
  })
}

/** A change of `PATCH /api/v1/conversations/{id}`. */
export interface ConversationStatePatch {
  status?: 'open' | 'resolved' | undefined
  handledBy?: 'ai' | 'human' | undefined
  /** A console user's email of the tenant; `null` = the team's queue. */
  assigneeEmail?: string | null | undefined
}

/**
 * Changes a conversation's status, who handles it and who it is assigned to. Taking it over
 * (`handled_by: human`) is a hand-off (`agent_takeover`); giving it back (`ai`) lets the
 * assistant answer the visitor's next message. An unknown assignee email is a 422; another
 * tenant's conversation a 404.
 */
export async function updateConversationState(
  ctx: Ctx,
  tenantId: string,
  conversationId: string,
  patch: ConversationStatePatch,
): Promise<ConversationRow> {
  const c = await findConversationForTenant(ctx.db, tenantId, conversationId)
  if (!c) throw notFound('Conversation not found')
  let assigneeId: string | null | undefined
  if (patch.assigneeEmail === null) assigneeId = null
  else if (patch.assigneeEmail !== undefined) {
    const user = await findTenantUser(ctx.db, tenantId, { email: patch.assigneeEmail })
    if (!user)
      throw invalidField(
        ['body', 'assignee_email'],
        'No console user of this tenant has this email',
      )
    assigneeId = user.id
  }
  let current = c
  if (patch.handledBy === 'human' && c.handled_by !== 'human') {
    current = await handOffConversation(ctx, tenantId, conversationId, 'agent_takeover', {
      ...(assigneeId ? { assigneeUserId: assigneeId } : {}),
    })
  }
  const changes: Partial<ConversationRow> = {}
  if (patch.handledBy === 'ai' && current.handled_by !== 'ai') changes.handled_by = 'ai'
  if (patch.status !== undefined && patch.status !== current.status) changes.status = patch.status
  if (assigneeId !== undefined && assigneeId !== (current.assignee_user_id ?? null))
    changes.assignee_user_id = assigneeId
  if (Object.keys(changes).length === 0) return current
  const updated_at = nowIso()
  const next = { ...current, ...changes, updated_at }
  await storeStateChange(ctx.db, current, next, (trx) =>
    updateConversation(trx, tenantId, conversationId, { ...changes, updated_at }),
  )
  await publishConversationState(ctx, next, { statusChanged: changes.status !== undefined })
  return next
}
