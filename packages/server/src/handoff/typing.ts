import type { WsAgentTypingFrame } from '@aurion/contract'
import type { RouteContext } from '../app-deps.ts'
import {
  findConversationForTenant,
  listThreadsOfConversation,
} from '../conversations/conversation-repo.ts'
import { publishThreadFrame } from '../conversations/frames.ts'
import { notFound } from '../errors.ts'
import { visitorFacingName } from './conversation-state.ts'
import { findTenantUser } from './handoff-repo.ts'
import { publishInboxEvent } from './inbox-events.ts'

/** A person is typing: the visitor's sockets get a `typing` frame, the consoles an event. */
export async function publishAgentTyping(
  ctx: Pick<RouteContext, 'db' | 'bus'>,
  tenantId: string,
  conversationId: string,
  userId: string | undefined,
): Promise<void> {
  const c = await findConversationForTenant(ctx.db, tenantId, conversationId)
  if (!c) throw notFound('Conversation not found')
  const frame: WsAgentTypingFrame = {
    type: 'typing',
    conversation_id: c.id,
    sender_type: 'agent',
  }
  for (const t of await listThreadsOfConversation(ctx.db, tenantId, c.id))
    publishThreadFrame(ctx, t, frame, undefined)
  const user = userId ? await findTenantUser(ctx.db, tenantId, { id: userId }) : undefined
  publishInboxEvent(ctx, tenantId, {
    type: 'typing',
    conversation_id: c.id,
    sender_type: 'agent',
    author_name: user ? visitorFacingName(user) : null,
  })
}

/** The visitor is typing in a conversation a person handles: the consoles get an event. */
export function publishVisitorTyping(
  ctx: Pick<RouteContext, 'bus'>,
  tenantId: string,
  conversationId: string,
): void {
  publishInboxEvent(ctx, tenantId, {
    type: 'typing',
    conversation_id: conversationId,
    sender_type: 'contact',
  })
}
