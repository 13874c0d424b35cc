import type {
  ConversationAssignee,
  InboxConversationState,
  InboxEvent,
  InboxMessage,
  MessageAuthor,
} from '@aurion/contract'
import type { RouteContext } from '../app-deps.ts'
import type { ConversationRow, MessageRow } from '../conversations/types.ts'

/**
 * Publishes an event of the console's live channel to every console of the tenant on every
 * instance (`GET /api/v1/inbox/events`). Best effort, like every frame: the data is stored first,
 * and a console that reconnects reloads what it shows.
 */
export function publishInboxEvent(
  ctx: Pick<RouteContext, 'bus'>,
  tenantId: string,
  event: InboxEvent,
): void {
  ctx.bus
    .publish({ type: 'inbox.event', tenantId, event: event as Record<string, unknown> })
    .catch(() => {})
}

/** A stored message as the inbox receives it. */
export function inboxMessage(
  m: MessageRow,
  author: MessageAuthor = null,
  attachments: InboxMessage['attachments'] = [],
): InboxMessage {
  let metadata: Record<string, unknown> | null = null
  if (m.metadata) {
    try {
      const v: unknown = JSON.parse(m.metadata)
      if (v && typeof v === 'object' && !Array.isArray(v)) metadata = v as Record<string, unknown>
    } catch {
      metadata = null
    }
  }
  return {
    id: m.id,
    thread_id: m.thread_id,
    sender_type: m.sender_type === 'ai' ? 'ai' : m.sender_type === 'agent' ? 'agent' : 'contact',
    body: m.body,
    channel: m.channel === 'voice' ? 'voice' : 'chat',
    created_at: m.created_at,
    private: Number(m.private ?? 0) === 1,
    author,
    attachments,
    metadata,
  }
}

/** Publishes a stored message to the inbox (`message` event). */
export function publishInboxMessage(
  ctx: Pick<RouteContext, 'bus'>,
  m: MessageRow,
  author: MessageAuthor = null,
  attachments: InboxMessage['attachments'] = [],
): void {
  publishInboxEvent(ctx, m.tenant_id, {
    type: 'message',
    conversation_id: m.conversation_id,
    message: inboxMessage(m, author, attachments),
  })
}

/** A conversation's state as inbox events carry it. */
export function inboxState(
  c: Pick<ConversationRow, 'id' | 'status' | 'handled_by' | 'updated_at'>,
  assignee: ConversationAssignee,
): InboxConversationState {
  return {
    conversation_id: c.id,
    status: c.status === 'resolved' ? 'resolved' : 'open',
    handled_by: c.handled_by === 'human' ? 'human' : 'ai',
    assignee,
    updated_at: c.updated_at,
  }
}
