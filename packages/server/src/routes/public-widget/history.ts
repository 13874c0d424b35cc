import { WidgetHistoryQuery, WidgetHistoryResponse } from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { listVisitorHistory } from '../../conversations/visitor-history.ts'
import { verifyVisitorToken } from '../../visitors/visitor-auth.ts'
import { authorizeWidget, limitByIp, PUBLIC_LIMITS } from '../../widget-auth/public-guard.ts'
import { INVALID_TOKEN_RESPONSE, PUBLIC_ERROR_RESPONSES, TAGS } from './schemas.ts'

/** `GET /api/v1/widget/history`: the returning visitor's own conversations. */
export async function historyRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/v1/widget/history',
    {
      schema: {
        tags: TAGS,
        summary: "Get the visitor's conversation history",
        description:
          "Conversations of the email in `email_token`, newest first, each with its most recent `message_limit` messages in order (visitor, assistant and human agents). Only conversations sent with an email_token are listed: a bare `sender_email` never puts messages into someone's history. 60 requests/minute per IP.",
        querystring: WidgetHistoryQuery,
        response: {
          200: WidgetHistoryResponse,
          ...INVALID_TOKEN_RESPONSE,
          ...PUBLIC_ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const q = request.query
      await limitByIp(ctx, request, reply, PUBLIC_LIMITS.history)
      const access = await authorizeWidget(ctx, {
        tenantId: q.tenant_id,
        publicKey: q.public_key,
        originHeader: request.headers.origin,
      })
      const email = verifyVisitorToken(ctx, access, q.email_token)
      reply.header('Cache-Control', 'no-store')
      return listVisitorHistory(ctx.db, access.tenant.id, email, {
        conversationLimit: q.conversation_limit,
        messageLimit: q.message_limit,
      })
    },
  )
}
