import {
  AnalyticsAgentsResponse,
  AnalyticsArticlesResponse,
  AnalyticsOverviewQuery,
  AnalyticsOverviewResponse,
  AnalyticsPeriodQuery,
  AnalyticsUnansweredQuery,
  AnalyticsUnansweredResponse,
  UNANSWERED_MAX_GROUPS,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { agentFigures, mostCitedArticles } from '../../analytics/breakdowns.ts'
import { buildOverview } from '../../analytics/overview.ts'
import { parsePeriod } from '../../analytics/period.ts'
import { buildUnanswered } from '../../analytics/unanswered.ts'
import type { RouteContext } from '../../app-deps.ts'
import { adminAuth } from '../../auth/admin-auth.ts'
import { ADMIN_BODY_ERROR_RESPONSES, ADMIN_SECURITY } from '../../auth/admin-route-schema.ts'

const TAGS = ['Analytics']

/**
 * `GET /api/v1/analytics/overview`, `/unanswered`, `/articles` and `/agents` (scope
 * `analytics:read` by the path-prefix rule; console sessions too). Definitions: docs/analytics.md.
 */
export async function analyticsRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  r.get(
    '/api/v1/analytics/overview',
    {
      onRequest: adminAuth(ctx, 'analytics'),
      schema: {
        tags: TAGS,
        summary: 'Resolution, hand-off, feedback and satisfaction figures',
        description:
          "Conversations started in `[from, to)` (default: the last 30 days), how many the assistant resolved (Intercom Fin's definition: confirmed, or no further help asked for 24 hours after its last answer; no person involved) and how many went to a person, visitor messages, thumbs up/down and CSAT given in the period, median first response times, and a `series` by `day` or `week` starting at midnight in `tz` (IANA, default UTC). Needs `analytics:read`.",
        security: ADMIN_SECURITY,
        querystring: AnalyticsOverviewQuery,
        response: { 200: AnalyticsOverviewResponse, ...ADMIN_BODY_ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const q = request.query
      const period = parsePeriod(q)
      reply.header('Cache-Control', 'no-store')
      return buildOverview(
        ctx.db,
        ctx.database.dialect,
        request.admin!.tenantId,
        period,
        q.interval ?? 'day',
      )
    },
  )
  r.get(
    '/api/v1/analytics/unanswered',
    {
      onRequest: adminAuth(ctx, 'analytics'),
      schema: {
        tags: TAGS,
        summary: 'Questions the assistant could not answer',
        description:
          'Visitor questions asked in `[from, to)` (default: the last 30 days) that the assistant had no knowledge for, or whose answer got a thumbs-down; similar wordings grouped, the largest groups first, each with its count, an example wording and links to its conversations. Needs `analytics:read`.',
        security: ADMIN_SECURITY,
        querystring: AnalyticsUnansweredQuery,
        response: { 200: AnalyticsUnansweredResponse, ...ADMIN_BODY_ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const q = request.query
      const period = parsePeriod(q)
      reply.header('Cache-Control', 'no-store')
      return buildUnanswered(
        ctx.db,
        ctx.database.dialect,
        request.admin!.tenantId,
        period,
        q.limit ?? UNANSWERED_MAX_GROUPS.default,
        (id) => `${ctx.config.publicUrl}/api/v1/conversations/${encodeURIComponent(id)}`,
      )
    },
  )
  r.get(
    '/api/v1/analytics/articles',
    {
      onRequest: adminAuth(ctx, 'analytics'),
      schema: {
        tags: TAGS,
        summary: 'The most cited articles',
        description:
          'Articles, imported pages and files the answers of `[from, to)` cited, most cited first (one count per answer). Needs `analytics:read`.',
        security: ADMIN_SECURITY,
        querystring: AnalyticsPeriodQuery,
        response: { 200: AnalyticsArticlesResponse, ...ADMIN_BODY_ERROR_RESPONSES },
      },
    },
    async (request) =>
      mostCitedArticles(
        ctx.db,
        request.admin!.tenantId,
        parsePeriod(request.query),
        request.query.limit ?? 10,
      ),
  )
  r.get(
    '/api/v1/analytics/agents',
    {
      onRequest: adminAuth(ctx, 'analytics'),
      schema: {
        tags: TAGS,
        summary: 'Hand-off figures per person',
        description:
          "For the conversations started in `[from, to)` and handed off: whose was the first reply after the hand-off, and each person's median time to it. Needs `analytics:read`.",
        security: ADMIN_SECURITY,
        querystring: AnalyticsPeriodQuery,
        response: { 200: AnalyticsAgentsResponse, ...ADMIN_BODY_ERROR_RESPONSES },
      },
    },
    async (request) =>
      agentFigures(
        ctx.db,
        request.admin!.tenantId,
        parsePeriod(request.query),
        request.query.limit ?? 10,
      ),
  )
}
