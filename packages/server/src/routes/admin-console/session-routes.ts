import { ConsoleSessionList, ErrorResponse, SessionsRevokedResponse } from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  type AdminSessionRow,
  listLiveAdminSessions,
  revokeOtherUserSessions,
  revokeUserSession,
} from '../../admin-users/session-repo.ts'
import type { RouteContext } from '../../app-deps.ts'
import { recordAdminAction } from '../../audit/audit.ts'
import { ADMIN_ERROR_RESPONSES } from '../../auth/admin-route-schema.ts'
import { actorOf, consoleSessionAuth } from '../../auth/session-auth.ts'
import { clearSessionCookie } from '../../auth/session-cookie.ts'
import { notFound } from '../../errors.ts'

const TAGS = ['Console authentication']
const SECURITY = [{ Session: [] }]
const SessionParams = Type.Object({ session_id: Type.String({ minLength: 1, maxLength: 100 }) })

/**
 * The signed-in user's own console sessions: list them (where and when each was opened and last
 * used), sign one out, or every other one. Sessions are read from the database on every request,
 * so a revoked one is refused at once, on every instance.
 */
export async function sessionRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const auth = consoleSessionAuth(ctx)
  const noStore = async (_req: FastifyRequest, reply: FastifyReply) => {
    reply.header('Cache-Control', 'no-store')
  }
  const view = (row: AdminSessionRow, currentId: string) => ({
    id: row.id,
    created_at: row.created_at,
    expires_at: row.expires_at,
    last_seen_at: row.last_seen_at,
    ip: row.ip,
    user_agent: row.user_agent,
    current: row.id === currentId,
  })

  r.get(
    '/api/v1/auth/sessions',
    {
      onRequest: [auth, noStore],
      schema: {
        tags: TAGS,
        summary: 'Your active console sessions',
        description:
          'Sessions of the signed-in user that are neither signed out nor expired, most recently used first; `current` marks the one making this request. `last_seen_at` moves at most once a minute.',
        security: SECURITY,
        response: { 200: ConsoleSessionList, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const rows = await listLiveAdminSessions(ctx.db, actor.userId)
      return { sessions: rows.map((row) => view(row, request.admin!.id)) }
    },
  )

  r.delete(
    '/api/v1/auth/sessions/:session_id',
    {
      onRequest: [auth, noStore],
      schema: {
        tags: TAGS,
        summary: 'Sign out one of your sessions',
        description:
          "Its token stops working at once on every instance. Revoking the current session signs this client out (its cookie is cleared). 404 for an unknown session, another user's, or one already ended.",
        security: SECURITY,
        params: SessionParams,
        response: {
          204: { type: 'null', description: 'Signed out' },
          404: { ...ErrorResponse, description: 'No live session of yours with this id' },
          ...ADMIN_ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request)
      const id = request.params.session_id
      if (!(await revokeUserSession(ctx.db, actor.userId, id))) throw notFound('Session not found')
      await recordAdminAction(ctx.db, request, { action: 'console.session_revoked', target: id })
      if (id === request.admin!.id) clearSessionCookie(request, reply)
      return reply.status(204).send()
    },
  )

  r.post(
    '/api/v1/auth/sessions/revoke-others',
    {
      onRequest: [auth, noStore],
      schema: {
        tags: TAGS,
        summary: 'Sign out everywhere else',
        description: 'Revokes every session of the signed-in user except this one.',
        security: SECURITY,
        response: {
          200: SessionsRevokedResponse,
          ...ADMIN_ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const actor = actorOf(request)
      const revoked = await revokeOtherUserSessions(ctx.db, actor.userId, request.admin!.id)
      if (revoked > 0) {
        await recordAdminAction(ctx.db, request, {
          action: 'console.session_revoked',
          target: null,
          details: { others: revoked },
        })
      }
      return { revoked }
    },
  )
}
