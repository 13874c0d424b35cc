import type { ConversationRow, MessageRow } from '../conversations/types.ts'
import type { Db } from '../db/schema.ts'
import { emitWebhookEvent } from './events.ts'

/**
 * The conversation events of the catalogue, each written into the caller's transaction (the
 * one that stores the change) through {@link emitWebhookEvent}.
 */

/** A conversation as events carry it. */
export function conversationData(c: ConversationRow): Record<string, unknown> {
  const extra = c as ConversationRow & { handled_by?: unknown }
  return {
    id: c.id,
    subject: c.subject,
    status: c.status,
    contact_id: c.contact_id,
    ...(typeof extra.handled_by === 'string' ? { handled_by: extra.handled_by } : {}),
    created_at: c.created_at,
    updated_at: c.updated_at,
  }
}

/** A team-only note: never sent (a `note` sender, a `private` flag or `metadata.private`). */
export function isPrivateNote(m: MessageRow): boolean {
  const flag: unknown = m.private
  if (m.sender_type === 'note' || flag === true || Number(flag) === 1) return true
  if (!m.metadata) return false
  try {
    return (JSON.parse(m.metadata) as { private?: unknown }).private === true
  } catch {
    return false
  }
}

/** `conversation.created`, in the transaction that inserted the conversation and its thread. */
export function emitConversationCreated(
  trx: Db,
  conversation: ConversationRow,
  threadId: string,
): Promise<string | undefined> {
  return emitWebhookEvent(trx, conversation.tenant_id, 'conversation.created', {
    conversation: conversationData(conversation),
    thread_id: threadId,
  })
}

/** `message.created` for a visitor's, the assistant's or a person's message; notes are skipped. */
export async function emitMessageCreated(trx: Db, m: MessageRow): Promise<string | undefined> {
  if (isPrivateNote(m)) return undefined
  return emitWebhookEvent(trx, m.tenant_id, 'message.created', {
    message: {
      id: m.id,
      conversation_id: m.conversation_id,
      thread_id: m.thread_id,
      sender_type: m.sender_type,
      body: m.body,
      channel: m.channel,
      source_message_id: m.source_message_id,
      created_at: m.created_at,
    },
  })
}

/** `conversation.resolved`, in the transaction that set the status. */
export function emitConversationResolved(
  trx: Db,
  conversation: ConversationRow,
): Promise<string | undefined> {
  return emitWebhookEvent(trx, conversation.tenant_id, 'conversation.resolved', {
    conversation: conversationData(conversation),
  })
}

/**
 * `conversation.handoff_requested`: the conversation was handed to a person (`reason`:
 * `visitor_request`, `unanswered_twice`, `quick_action` or `agent_takeover`), in the transaction
 * that recorded the hand-off.
 */
export function emitHandoffRequested(
  trx: Db,
  conversation: ConversationRow,
  reason: string,
): Promise<string | undefined> {
  return emitWebhookEvent(trx, conversation.tenant_id, 'conversation.handoff_requested', {
    conversation: conversationData(conversation),
    reason,
  })
}

/** `conversation.assigned`: a person took the conversation or was given it, in that transaction. */
export function emitConversationAssigned(
  trx: Db,
  conversation: ConversationRow,
  assignee: { id: string; name: string | null; email: string },
): Promise<string | undefined> {
  return emitWebhookEvent(trx, conversation.tenant_id, 'conversation.assigned', {
    conversation: conversationData(conversation),
    assignee: { id: assignee.id, name: assignee.name, email: assignee.email },
  })
}
