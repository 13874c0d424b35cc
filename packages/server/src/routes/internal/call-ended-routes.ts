import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import {
  findConversationForTenant,
  findThreadForTenant,
} from '../../conversations/conversation-repo.ts'
import { notFound } from '../../errors.ts'
import { roomNameFor } from '../../voice/livekit-token.ts'
import { emitWebhookEvent } from '../../webhooks/events.ts'
import { CallEndedBody, ConversationParams } from './schemas.ts'

/**
 * `POST /internal/v1/conversations/{id}/call-ended`: the voice agent reports that a call of
 * this conversation ended (the visitor left, hung up, or the room closed); the tenant's
 * `voice.call.ended` webhook event is written. 204. Another tenant's conversation or thread is
 * a 404 like an unknown one.
 */
export async function callEndedRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  r.post(
    '/internal/v1/conversations/:conversation_id/call-ended',
    { schema: { hide: true, params: ConversationParams, body: CallEndedBody } },
    async (request, reply) => {
      const b = request.body
      const conversationId = request.params.conversation_id
      const conversation = await findConversationForTenant(ctx.db, b.tenant_id, conversationId)
      if (!conversation) throw notFound('Conversation not found')
      if (b.thread_id !== undefined) {
        const thread = await findThreadForTenant(ctx.db, b.tenant_id, b.thread_id)
        if (!thread || thread.conversation_id !== conversationId) throw notFound('Thread not found')
      }
      await ctx.db.transaction().execute((trx) =>
        emitWebhookEvent(trx, b.tenant_id, 'voice.call.ended', {
          conversation_id: conversationId,
          thread_id: b.thread_id ?? null,
          room: b.room ?? roomNameFor(conversationId),
          channel: b.channel ?? 'voice',
          duration_seconds: b.duration_seconds,
        }),
      )
      return reply.status(204).send()
    },
  )
}
