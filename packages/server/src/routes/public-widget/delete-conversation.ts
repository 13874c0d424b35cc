import {
  WidgetDeleteConversationRequest,
  WidgetDeleteConversationResponse,
  WidgetResolveParams,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { deleteConversationAsVisitor } from '../../conversations/visitor-delete.ts'
import { guardVisitorWrite } from '../../widget-auth/visitor-guard.ts'
import { TAGS, VISITOR_CONVERSATION_ERRORS } from './schemas.ts'

/** `POST /api/v1/widget/conversations/:conversation_id/delete`: the visitor deletes it. */
export async function deleteConversationRoutes(
  app: FastifyInstance,
  ctx: RouteContext,
): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/api/v1/widget/conversations/:conversation_id/delete',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a conversation as its visitor',
        description:
          'Deletes the conversation with its messages, attachments and feedback, for good (the support team no longer sees it either). Prove it is yours as for /resolve: the `email_token` it was sent with, or — for a conversation sent without a token — one of its threads (`source_thread_id`). Anything else is 404. Counts against the messages limit (60/minute per IP).',
        params: WidgetResolveParams,
        body: WidgetDeleteConversationRequest,
        response: {
          200: WidgetDeleteConversationResponse,
          ...VISITOR_CONVERSATION_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const b = request.body
      const { access, identity } = await guardVisitorWrite(ctx, request, reply, b)
      const conversationId = request.params.conversation_id
      const { messages } = await deleteConversationAsVisitor(ctx, access, conversationId, {
        identity,
        sourceThreadId: b.source_thread_id,
      })
      return {
        tenant_id: access.tenant.id,
        conversation_id: conversationId,
        deleted: true as const,
        messages,
      }
    },
  )
}
