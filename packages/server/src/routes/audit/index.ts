import { AUDIT_LOG_PAGE, AuditLogQuery, AuditLogResponse } from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { toAuditEntry } from '../../audit/audit.ts'
import { listAuditEntries } from '../../audit/audit-repo.ts'
import { adminAuth } from '../../auth/admin-auth.ts'
import { ADMIN_BODY_ERROR_RESPONSES, ADMIN_SECURITY } from '../../auth/admin-route-schema.ts'
import { invalidField } from '../../errors.ts'

const CURSOR_RE = /^aud_[0-9A-Za-z]{1,60}$/

/**
 * `GET /api/v1/audit-log` (scope `audit:read` by the path-prefix rule; console sessions too):
 * the tenant's administrative actions, newest first, filtered by action, actor and time, a page
 * at a time. Read-only: there is no route that changes or deletes an entry.
 */
export async function auditRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  r.get(
    '/api/v1/audit-log',
    {
      onRequest: adminAuth(ctx, 'audit'),
      schema: {
        tags: ['Privacy and audit'],
        summary: 'List the audit log',
        description:
          'Administrative actions (config changes with the changed fields, API keys, widget key, identity secret, erasure and export, console sign-ins), newest first, with actor, IP and time. Filters: `action`, `actor` (user or API key id), `from` (inclusive) / `to` (exclusive). Pass `next_cursor` as `cursor` for the next page. Needs `audit:read`.',
        security: ADMIN_SECURITY,
        querystring: AuditLogQuery,
        response: { 200: AuditLogResponse, ...ADMIN_BODY_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const q = request.query
      if (q.cursor !== undefined && !CURSOR_RE.test(q.cursor)) {
        throw invalidField(['query', 'cursor'], 'Not a cursor of this listing')
      }
      const limit = q.limit ?? AUDIT_LOG_PAGE.defaultLimit
      const rows = await listAuditEntries(
        ctx.db,
        request.admin!.tenantId,
        {
          action: q.action,
          actorId: q.actor,
          from: q.from === undefined ? undefined : new Date(q.from).toISOString(),
          to: q.to === undefined ? undefined : new Date(q.to).toISOString(),
          beforeId: q.cursor,
        },
        limit + 1,
      )
      const page = rows.slice(0, limit)
      return {
        entries: page.map(toAuditEntry),
        next_cursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
      }
    },
  )
}
