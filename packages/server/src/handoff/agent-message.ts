import type { AgentMessageResponse, MessageAuthor } from '@aurion/contract'
import type { RouteContext } from '../app-deps.ts'
import {
  findConversationForTenant,
  listThreadsOfConversation,
  updateConversation,
} from '../conversations/conversation-repo.ts'
import { retryOnUniqueViolation } from '../conversations/db-errors.ts'
import { messageFrame, publishThreadFrame, toApiTimestamp } from '../conversations/frames.ts'
import { attachUploadsToMessage } from '../conversations/message-attachments.ts'
import { findMessageBySourceId, insertMessage } from '../conversations/message-repo.ts'
import type { ConversationRow, MessageRow } from '../conversations/types.ts'
import { conflict, invalidField, notFound } from '../errors.ts'
import { newId, nowIso } from '../ids.ts'
import { recordAgentMessageMetric } from '../metrics.ts'
import { listUploadsForMessages } from '../uploads/upload-repo.ts'
import { emitMessageCreated } from '../webhooks/conversation-events.ts'
import {
  handOffConversation,
  publishConversationState,
  visitorFacingName,
} from './conversation-state.ts'
import { findTenantUser, markFirstHumanReply } from './handoff-repo.ts'
import { publishInboxMessage } from './inbox-events.ts'
import { mailReplyIfVisitorLeft } from './reply-mail.ts'
import { storeStateChange } from './state-change.ts'

type Ctx = Pick<RouteContext, 'db' | 'bus' | 'mailer'>

export interface AgentMessageInput {
  body: string
  private?: boolean | undefined
  uploadIds?: string[] | undefined
  /** The caller's idempotency key (`source_message_id`): a retry returns the stored message. */
  sourceMessageId?: string | undefined
}

/**
 * A person writes in a conversation (`POST /api/v1/conversations/{id}/messages`): a reply to the
 * visitor, or a private note for the team (never published to the visitor, never in their
 * history, never read by the assistant). A reply to a conversation the assistant handles takes it
 * over (`agent_takeover`), reopens a resolved one, assigns an unassigned one to its author, and
 * counts as the first human reply after the hand-off. The message is stored before anything is
 * published, with its `message.created` webhook event (not for a note) in the same transaction;
 * the visitor gets a `message` frame live, or an email when they left (see `reply-mail.ts`).
 *
 * With a `sourceMessageId` the message is stored at most once: a retry (the caller lost the
 * answer) returns the stored one and only completes the takeover, publishing and mailing nothing
 * again.
 *
 * @throws ApiError 404 (not this tenant's conversation), 422 (blank body, unknown upload), 409
 * (`sourceMessageId` already used for another message).
 */
export async function postAgentMessage(
  ctx: Ctx,
  tenantId: string,
  conversationId: string,
  input: AgentMessageInput,
  who: { userId?: string | undefined },
  opts: { log?: { warn(obj: object, msg: string): void } | undefined } = {},
): Promise<AgentMessageResponse> {
  const body = input.body.trim()
  if (body === '')
    throw invalidField(['body', 'body'], 'body must not be blank', 'string_too_short')
  const isPrivate = input.private === true
  const c = await findConversationForTenant(ctx.db, tenantId, conversationId)
  if (!c) throw notFound('Conversation not found')
  const thread = (await listThreadsOfConversation(ctx.db, tenantId, c.id))[0]
  if (!thread) throw notFound('Conversation not found')
  const user = who.userId ? await findTenantUser(ctx.db, tenantId, { id: who.userId }) : undefined
  const author: MessageAuthor = user ? { name: user.name, email: user.email } : null

  const response = (m: MessageRow): AgentMessageResponse => ({
    id: m.id,
    conversation_id: c.id,
    thread_id: m.thread_id,
    sender_type: 'agent',
    body: m.body,
    private: isPrivate,
    created_at: toApiTimestamp(m.created_at),
    author,
  })
  const stored = async () => {
    if (input.sourceMessageId === undefined) return undefined
    const m = await findMessageBySourceId(ctx.db, tenantId, input.sourceMessageId)
    if (!m) return undefined
    if (
      m.sender_type !== 'agent' ||
      m.conversation_id !== c.id ||
      m.body !== body ||
      (Number(m.private) === 1) !== isPrivate
    )
      throw conflict('source_message_id was already used for a different message')
    return m
  }
  const before = await stored()
  if (before) {
    if (!isPrivate) await takeOver(ctx, c, user?.id)
    return response(before)
  }

  // A concurrent retry that stored the same key first wins: its message is the answer.
  const inserted = await retryOnUniqueViolation(2, async (attempt) => {
    const winner = attempt > 1 ? await stored() : undefined
    if (winner) return { message: winner, fresh: false }
    return {
      message: await insertAgentMessage(ctx.db, c, thread.id, {
        body,
        isPrivate,
        authorUserId: user?.id ?? null,
        sourceMessageId: input.sourceMessageId ?? null,
        uploadIds: input.uploadIds,
      }),
      fresh: true,
    }
  })
  if (!inserted.fresh) return response(inserted.message)
  const message = inserted.message

  const attachments = input.uploadIds?.length
    ? (await listUploadsForMessages(ctx.db, tenantId, [message.id])).map((u) => ({
        upload_id: u.id,
        file_name: u.file_name,
        content_type: u.content_type,
        size_bytes: Number(u.size_bytes),
      }))
    : []
  publishInboxMessage(ctx, message, author, attachments)
  const agentLabel = user?.email ?? 'api_key'
  if (isPrivate) {
    recordAgentMessageMetric(agentLabel, 'note')
  } else {
    const state = await takeOver(ctx, c, user?.id)
    const frame = messageFrame(message, attachments)
    frame.message.author_name = user ? visitorFacingName(user) : null
    // Listens for the frame's receipt before the frame goes out (a local socket answers at once).
    mailReplyIfVisitorLeft(ctx, state, message, author, opts.log)
    publishThreadFrame(ctx, thread, frame, undefined)
    const first = await markFirstHumanReply(
      ctx.db,
      tenantId,
      c.id,
      message.created_at,
      user?.id ?? null,
    )
    const since = state.handoff_requested_at
    recordAgentMessageMetric(
      agentLabel,
      'reply',
      first && since
        ? Math.max(0, (Date.parse(message.created_at) - Date.parse(since)) / 1000)
        : undefined,
    )
  }
  return response(message)
}

/**
 * One transaction: the message, its uploads (all attached or a 422), its `message.created`
 * event (skipped for a note) and the conversation's `updated_at`.
 */
async function insertAgentMessage(
  db: Ctx['db'],
  c: ConversationRow,
  threadId: string,
  m: {
    body: string
    isPrivate: boolean
    authorUserId: string | null
    sourceMessageId: string | null
    uploadIds: string[] | undefined
  },
): Promise<MessageRow> {
  const tenantId = c.tenant_id
  return db.transaction().execute(async (trx) => {
    const now = nowIso()
    const message = await insertMessage(trx, {
      id: newId('msg'),
      tenant_id: tenantId,
      conversation_id: c.id,
      thread_id: threadId,
      sender_type: 'agent',
      body: m.body,
      source_message_id: m.sourceMessageId,
      reply_to_id: null,
      channel: 'chat',
      metadata: null,
      private: m.isPrivate ? 1 : 0,
      author_user_id: m.authorUserId,
      created_at: now,
    })
    await attachUploadsToMessage(trx, tenantId, m.uploadIds, message.id)
    // The conversation's `updated_at` moved with the insert (migration 0034).
    await emitMessageCreated(trx, message)
    return message
  })
}

/**
 * A person's reply: the conversation is theirs now. Handed off if the assistant had it, reopened
 * if resolved, assigned to the author if nobody had it.
 */
async function takeOver(
  ctx: Ctx,
  c: ConversationRow,
  userId: string | undefined,
): Promise<ConversationRow> {
  if (c.handled_by !== 'human') {
    return handOffConversation(ctx, c.tenant_id, c.id, 'agent_takeover', {
      ...(userId ? { assigneeUserId: userId } : {}),
    })
  }
  const changes: Partial<ConversationRow> = {}
  if (c.status !== 'open') changes.status = 'open'
  if (!c.assignee_user_id && userId) changes.assignee_user_id = userId
  if (Object.keys(changes).length === 0) return c
  const updated_at = nowIso()
  const next = { ...c, ...changes, updated_at }
  await storeStateChange(ctx.db, c, next, (trx) =>
    updateConversation(trx, c.tenant_id, c.id, { ...changes, updated_at }),
  )
  await publishConversationState(ctx, next, { statusChanged: changes.status !== undefined })
  return next
}

export type { MessageRow }
