import {
  CONSOLE_CONVERSATION_MESSAGES,
  CONSOLE_CONVERSATION_PAGE,
  ConsoleConversationDetail,
  ConsoleConversationList,
  ConsoleConversationListQuery,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { adminAuth } from '../../auth/admin-auth.ts'
import { ADMIN_ERROR_RESPONSES, ADMIN_SECURITY } from '../../auth/admin-route-schema.ts'
import { notFound } from '../../errors.ts'
import { getTenantConversation, listTenantConversations } from './conversation-queries.ts'

const TAGS = ['Conversations']

/**
 * Read-only view of the tenant's widget conversations for the console (scope
 * `conversations:read`): what visitors asked and what the assistant answered.
 */
export async function conversationsRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const auth = adminAuth(ctx, 'conversations')

  r.get(
    '/api/v1/conversations',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'List conversations',
        description:
          'Most recently updated first, with the message count and the newest message. Needs `conversations:read`.',
        security: ADMIN_SECURITY,
        querystring: ConsoleConversationListQuery,
        response: { 200: ConsoleConversationList, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? CONSOLE_CONVERSATION_PAGE.defaultLimit
      const offset = request.query.offset ?? 0
      const page = await listTenantConversations(ctx.db, request.admin!.tenantId, {
        ...(request.query.q !== undefined ? { q: request.query.q } : {}),
        ...(request.query.status !== undefined ? { status: request.query.status } : {}),
        limit,
        offset,
      })
      return { ...page, limit, offset }
    },
  )

  r.get(
    '/api/v1/conversations/:id',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Get a conversation with its messages',
        description:
          "The newest `message_limit` messages, oldest first. Another tenant's conversation is 404. Needs `conversations:read`.",
        security: ADMIN_SECURITY,
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        querystring: Type.Object({
          message_limit: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: CONSOLE_CONVERSATION_MESSAGES.maxLimit,
              default: CONSOLE_CONVERSATION_MESSAGES.defaultLimit,
            }),
          ),
        }),
        response: {
          200: ConsoleConversationDetail,
          ...ADMIN_ERROR_RESPONSES,
          404: { ...ADMIN_ERROR_RESPONSES[401], description: 'No such conversation' },
        },
      },
    },
    async (request) => {
      const detail = await getTenantConversation(
        ctx.db,
        request.admin!.tenantId,
        request.params.id,
        request.query.message_limit ?? CONSOLE_CONVERSATION_MESSAGES.defaultLimit,
      )
      if (!detail) throw notFound('Conversation not found')
      return detail
    },
  )
}
