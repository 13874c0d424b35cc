import { RetentionStatusResponse } from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { adminAuth } from '../../auth/admin-auth.ts'
import { ADMIN_ERROR_RESPONSES, ADMIN_SECURITY } from '../../auth/admin-route-schema.ts'
import { requireTenant, tenantWidgetConfig } from '../../tenants/tenant-service.ts'

/** `GET /api/v1/privacy/retention` (`privacy:read`): the policy and what its last run removed. */
export async function retentionRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/v1/privacy/retention',
    {
      onRequest: adminAuth(ctx, 'privacy'),
      schema: {
        tags: ['Privacy and audit'],
        summary: 'Retention policy and last run',
        description:
          '`retention_days` (set in the widget config; null keeps everything) and what the retention job removed the last time it ran for this tenant. Needs `privacy:read`.',
        security: ADMIN_SECURITY,
        response: { 200: RetentionStatusResponse, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const tenantId = request.admin!.tenantId
      const tenant = await requireTenant(ctx.db, tenantId)
      const run = await ctx.db
        .selectFrom('retention_runs')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst()
      return {
        retention_days: tenantWidgetConfig(tenant).retention_days,
        last_run: run
          ? {
              ran_at: run.ran_at,
              cutoff: run.cutoff,
              conversations: Number(run.conversations),
              messages: Number(run.messages),
              uploads: Number(run.uploads),
              feedback: Number(run.feedback),
              outbox: Number(run.outbox),
            }
          : null,
      }
    },
  )
}
