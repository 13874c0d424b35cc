import { WidgetHistoryQuery, WidgetHistoryResponse } from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { listVisitorHistory } from '../../conversations/visitor-history.ts'
import { signUploadQuery } from '../../uploads/upload-access.ts'
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
          "The visitor's conversations, newest first, each with its most recent `message_limit` messages in order (visitor, assistant and human agents). A token that does not prove its email lists the conversations it started or claimed (this browser's); a token that proves it (identity verification or /widget/session/verify) lists every conversation proven for the email. A bare `sender_email` never puts messages into anyone's history. 60 requests/minute per IP.",
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
        fetchSite: request.headers['sec-fetch-site'],
      })
      const token = verifyVisitorToken(ctx, access, q.email_token)
      reply.header('Cache-Control', 'no-store')
      const tenantId = access.tenant.id
      const history = await listVisitorHistory(
        ctx.db,
        tenantId,
        token,
        { conversationLimit: q.conversation_limit, messageLimit: q.message_limit },
        (uploadId) =>
          `${ctx.config.publicUrl}/api/v1/widget/uploads/${encodeURIComponent(uploadId)}?${new URLSearchParams(signUploadQuery(ctx.config.secret, tenantId, uploadId))}`,
      )
      return {
        ...history,
        email_verified: token.proven,
        email_code_available: ctx.mailer.canSend && !token.proven,
      }
    },
  )
}
