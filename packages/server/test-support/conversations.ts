import { resolveWidgetConfig } from '@aurion/contract'
import type { Agent } from '../src/agent/agent.ts'
import { generateAgentReply } from '../src/conversations/agent-reply.ts'
import type { MessagesInFlight } from '../src/conversations/in-flight.ts'
import { openThread } from '../src/conversations/locate-thread.ts'
import type { TenantAccess } from '../src/conversations/types.ts'
import { acceptVisitorMessage } from '../src/conversations/visitor-message.ts'
import type { Db } from '../src/db/schema.ts'
import type { RealtimeBus } from '../src/realtime/bus.ts'
import type { TenantRow } from '../src/tenants/tenant-repo.ts'

/** What the conversation helpers need of a server: its database, bus, agent and work in flight. */
export interface ConversationHost {
  db: Db
  bus: RealtimeBus
  agent: Agent
  inflight: MessagesInFlight
}

/** A conversation and its thread, as the trusted callers (voice worker, admin) name them. */
export interface ConversationRef {
  tenantId: string
  conversationId: string
  threadId: string
}

/** The tenant as the conversation service sees it: its row and resolved widget config. */
export function tenantAccess(tenant: TenantRow): TenantAccess {
  return { tenant, config: resolveWidgetConfig(JSON.parse(tenant.config)) }
}

/**
 * Opens a new conversation and thread of the tenant without a message, as the voice token
 * route does when a call starts.
 */
export async function openConversation(
  host: ConversationHost,
  tenant: TenantRow,
  opts: { subject?: string } = {},
): Promise<ConversationRef> {
  const { conversation, thread } = await openThread(
    host,
    tenantAccess(tenant),
    { subject: opts.subject ?? 'New conversation' },
    { trusted: true },
  )
  return { tenantId: tenant.id, conversationId: conversation.id, threadId: thread.id }
}

/**
 * A visitor types into the chat panel of a conversation (its first thread unless `threadId`): the message is stored and answered
 * through the chat's own service (frames go out on the server's bus). Resolves with the reply.
 */
export async function chatInConversation(
  host: ConversationHost,
  tenant: TenantRow,
  target: { conversationId: string; threadId?: string | undefined },
  body: string,
): Promise<string> {
  const access = tenantAccess(tenant)
  const accepted = await acceptVisitorMessage(
    host,
    access,
    { body, conversationId: target.conversationId, threadId: target.threadId, channel: 'chat' },
    { trusted: true },
  )
  const reply = await generateAgentReply(host, access, accepted, { trusted: true })
  return reply.message.body
}
