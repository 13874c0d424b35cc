import type { RouteContext } from '../app-deps.ts'
import { notFound } from '../errors.ts'
import { wipeFreedPages } from '../privacy/erasure.ts'
import { countConversationContent, deleteConversations } from '../privacy/visitor-data-repo.ts'
import type { VisitorIdentity } from '../visitors/visitor-auth.ts'
import type { TenantAccess } from './types.ts'
import { mayUseConversationById } from './visitor-access.ts'

/**
 * A visitor deletes one of their own conversations (the rule of `visitor-access.ts`; anything
 * else is the 404 of an unknown one): its threads, messages, attachments and feedback go with it
 * in one transaction, and on SQLite the freed pages are wiped from the database files like an
 * erasure's. Returns how many messages went.
 */
export async function deleteConversationAsVisitor(
  ctx: Pick<RouteContext, 'db' | 'database'>,
  access: TenantAccess,
  conversationId: string,
  proof: { identity: VisitorIdentity; sourceThreadId?: string | undefined },
): Promise<{ messages: number }> {
  const tenantId = access.tenant.id
  const allowed = await mayUseConversationById(
    ctx.db,
    tenantId,
    conversationId,
    proof.identity,
    proof.sourceThreadId,
  )
  if (!allowed) throw notFound('Conversation not found')
  const messages = await ctx.db.transaction().execute(async (trx) => {
    const content = await countConversationContent(trx, tenantId, [conversationId])
    const deleted = await deleteConversations(trx, tenantId, [conversationId])
    if (deleted === 0) throw notFound('Conversation not found')
    return content.messages
  })
  await wipeFreedPages(ctx.database)
  return { messages }
}
