import { WidgetResolveParams, WidgetResolveRequest, WidgetResolveResponse } from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { resolveConversationAsVisitor } from '../../conversations/conversation-status.ts'
import { toApiTimestamp } from '../../conversations/frames.ts'
import { guardVisitorWrite } from '../../widget-auth/visitor-guard.ts'
import { TAGS, VISITOR_CONVERSATION_ERRORS } from './schemas.ts'

/** `POST /api/v1/widget/conversations/:conversation_id/resolve`: the visitor closes it. */
export async function resolveRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/api/v1/widget/conversations/:conversation_id/resolve',
    {
      schema: {
        tags: TAGS,
        summary: 'Resolve (close) a conversation as its visitor',
        description:
          'Marks the conversation `resolved`; a later message reopens it. Prove it is yours with the `email_token` it was sent with, or — for a conversation sent without a token — one of its threads (`source_thread_id`: thread_… or your client id). Anything else is 404. Counts against the messages limit (60/minute per IP).',
        params: WidgetResolveParams,
        body: WidgetResolveRequest,
        response: {
          200: WidgetResolveResponse,
          ...VISITOR_CONVERSATION_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const b = request.body
      const { access, identity } = await guardVisitorWrite(ctx, request, reply, b)
      const conversation = await resolveConversationAsVisitor(
        ctx,
        access,
        request.params.conversation_id,
        { identity, sourceThreadId: b.source_thread_id },
        { origin: `rest:${request.id}` },
      )
      return {
        tenant_id: access.tenant.id,
        conversation_id: conversation.id,
        status: conversation.status === 'resolved' ? 'resolved' : 'open',
        updated_at: toApiTimestamp(conversation.updated_at),
      } as const
    },
  )
}
