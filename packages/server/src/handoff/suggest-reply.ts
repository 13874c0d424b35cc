import type { SuggestReplyResponse } from '@aurion/contract'
import type { AgentTurn } from '../agent/agent.ts'
import type { RouteContext } from '../app-deps.ts'
import { findConversationForTenant } from '../conversations/conversation-repo.ts'
import { listConversationTurns } from '../conversations/message-repo.ts'
import { agentUnavailable, conflict, notFound } from '../errors.ts'
import { findTenantById } from '../tenants/tenant-repo.ts'
import { tenantWidgetConfig } from '../tenants/tenant-service.ts'

const DRAFT_TURNS = 50

/**
 * A draft reply for a person to edit: the configured assistant (built-in or language model)
 * answers the conversation's latest visitor message from the knowledge base, as it would have
 * answered the visitor. Private notes are not shown to it. Nothing is stored or sent.
 *
 * @throws ApiError 404 (not this tenant's), 409 (the visitor has not written), 503 (agent down).
 */
export async function suggestReply(
  ctx: Pick<RouteContext, 'db' | 'agent'>,
  tenantId: string,
  conversationId: string,
  opts: { signal?: AbortSignal | undefined } = {},
): Promise<SuggestReplyResponse> {
  const c = await findConversationForTenant(ctx.db, tenantId, conversationId)
  const tenant = c ? await findTenantById(ctx.db, tenantId) : undefined
  if (!c || !tenant) throw notFound('Conversation not found')
  const rows = await listConversationTurns(
    ctx.db,
    tenantId,
    conversationId,
    Number.MAX_SAFE_INTEGER,
    DRAFT_TURNS,
  )
  const lastVisitor = rows.findLastIndex((r) => r.sender_type === 'contact')
  if (lastVisitor < 0) throw conflict('The visitor has not written anything to answer yet')
  const history: AgentTurn[] = rows.slice(0, lastVisitor + 1).map((m) => ({
    role: m.sender_type === 'contact' ? 'visitor' : m.sender_type === 'ai' ? 'assistant' : 'agent',
    text: m.body,
    // A draft is written, whatever channel the question came from.
    channel: 'chat',
    createdAt: m.created_at,
  }))
  const config = tenantWidgetConfig(tenant)
  let body = ''
  let sources: { id: string; title: string }[] = []
  try {
    const reply = ctx.agent.reply({
      tenantId,
      conversationId,
      history,
      instructions: config.agent_instructions ?? undefined,
      signal: opts.signal,
    })
    for await (const chunk of reply) if (typeof chunk === 'string') body += chunk
    sources = (await reply.sources.catch(() => [])).map((s) => ({ id: s.id, title: s.title }))
  } catch {
    throw agentUnavailable('The assistant could not draft a reply right now. Please retry.')
  }
  if (body.trim() === '') throw agentUnavailable('The assistant produced no draft. Please retry.')
  return { body: body.trim(), sources }
}
