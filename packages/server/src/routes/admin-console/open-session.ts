import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  type AdminSessionRow,
  createAdminSession,
  deleteStaleAdminSessions,
  revokeAdminSessionByToken,
} from '../../admin-users/session-repo.ts'
import type { AdminUserRow } from '../../admin-users/user-repo.ts'
import type { RouteContext } from '../../app-deps.ts'
import { recordAudit } from '../../audit/audit.ts'
import { readSessionCookie, setSessionCookie } from '../../auth/session-cookie.ts'

/**
 * Opens a console session for a user who proved who they are (password and second factor, or
 * single sign-on): the session the browser's cookie held ends, the new one is stored (as its
 * hash, with the address and browser), audited as `action`, and set as the session cookie.
 */
export async function openConsoleSession(
  ctx: Pick<RouteContext, 'db'>,
  request: FastifyRequest,
  reply: FastifyReply,
  user: AdminUserRow,
  audit: { action: string; details?: Record<string, unknown> },
): Promise<{ token: string; row: AdminSessionRow }> {
  // The browser holds one session cookie: the session it replaces ends now.
  const previous = readSessionCookie(request)
  if (previous !== undefined) await revokeAdminSessionByToken(ctx.db, previous)
  const opened = await createAdminSession(ctx.db, {
    userId: user.id,
    tenantId: user.tenant_id,
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
  })
  deleteStaleAdminSessions(ctx.db).catch((err: unknown) =>
    request.log.warn({ err }, 'could not delete stale console sessions'),
  )
  await recordAudit(ctx.db, {
    tenantId: user.tenant_id,
    actor: { type: 'user', id: user.id },
    action: audit.action,
    target: opened.row.id,
    details: audit.details,
    ip: request.ip,
  })
  setSessionCookie(request, reply, opened.token, new Date(opened.row.expires_at))
  return opened
}
