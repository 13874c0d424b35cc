import {
  CONSOLE_CONVERSATION_MESSAGES,
  CONSOLE_CONVERSATION_PAGE,
  ConsoleConversationDetail,
  ConsoleConversationList,
  ConsoleConversationListQuery,
  HandoffMetricsQuery,
  HandoffMetricsResponse,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { buildHandoffMetrics } from '../../analytics/handoff-metrics.ts'
import { parsePeriod } from '../../analytics/period.ts'
import type { RouteContext } from '../../app-deps.ts'
import { adminAuth } from '../../auth/admin-auth.ts'
import {
  ADMIN_BODY_ERROR_RESPONSES,
  ADMIN_ERROR_RESPONSES,
  ADMIN_SECURITY,
} from '../../auth/admin-route-schema.ts'
import {
  getTenantConversation,
  listTenantConversations,
} from '../../conversations/console-conversation-repo.ts'
import { invalidField, notFound } from '../../errors.ts'
import { findTenantUser } from '../../handoff/handoff-repo.ts'

const TAGS = ['Conversations']

/**
 * The `assignee` filter as a user id: `none` → null (the team queue), `me` → the signed-in
 * user (an API key has no "me": 422), an email → that console user of the tenant. An email of
 * nobody in the tenant matches nothing (`-`), without saying whether it exists elsewhere.
 */
async function assigneeFilter(
  ctx: RouteContext,
  admin: NonNullable<FastifyRequest['admin']>,
  assignee: string,
): Promise<string | null> {
  if (assignee === 'none') return null
  if (assignee === 'me') {
    if (!admin.userId)
      throw invalidField(
        ['query', 'assignee'],
        '"me" needs a console session; an API key can filter by email or none',
      )
    return admin.userId
  }
  return (await findTenantUser(ctx.db, admin.tenantId, { email: assignee }))?.id ?? '-'
}

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
          "Most recently updated first, with the message count and the newest message. Filters: `status`, `handled_by` (`ai`/`human`), `assignee` (`me`, `none` = the team queue, or a console user's email). Needs `conversations:read`.",
        security: ADMIN_SECURITY,
        querystring: ConsoleConversationListQuery,
        response: { 200: ConsoleConversationList, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? CONSOLE_CONVERSATION_PAGE.defaultLimit
      const offset = request.query.offset ?? 0
      const admin = request.admin!
      const q = request.query
      const page = await listTenantConversations(ctx.db, admin.tenantId, {
        ...(q.q !== undefined ? { q: q.q } : {}),
        ...(q.status !== undefined ? { status: q.status } : {}),
        ...(q.handled_by !== undefined ? { handledBy: q.handled_by } : {}),
        ...(q.assignee !== undefined
          ? { assigneeUserId: await assigneeFilter(ctx, admin, q.assignee) }
          : {}),
        limit,
        offset,
      })
      return { ...page, limit, offset }
    },
  )

  // A static path: the router matches it before `/api/v1/conversations/:id`, in any order.
  r.get(
    '/api/v1/conversations/handoff-metrics',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Hand-off figures',
        description:
          'For the conversations started in `[from, to)` (ISO 8601, default: the last 30 days, at most 366 days): how many were handed to a person, how many a person answered, the wait for the first reply (seconds, p50/p90), and per person the hand-offs they answered first, their median wait and the replies they sent. Null where there is no data. Needs `conversations:read`.',
        security: ADMIN_SECURITY,
        querystring: HandoffMetricsQuery,
        response: { 200: HandoffMetricsResponse, ...ADMIN_BODY_ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const period = parsePeriod({ from: request.query.from, to: request.query.to })
      reply.header('Cache-Control', 'no-store')
      return buildHandoffMetrics(ctx.db, request.admin!.tenantId, period)
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
