import type { TeamRole } from '@aurion/contract'
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
import { csrfTokenFor, readSessionCookie, setSessionCookie } from '../../auth/session-cookie.ts'

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
  const opened = await replaceBrowserSession(ctx, request, user)
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

/**
 * Stores a new console session of `user` (as its hash, with the address and browser) in place of
 * the one the browser's cookie held, which ends now. The caller sets the cookie.
 */
export async function replaceBrowserSession(
  ctx: Pick<RouteContext, 'db'>,
  request: FastifyRequest,
  user: AdminUserRow,
): Promise<{ token: string; row: AdminSessionRow }> {
  // The browser holds one session cookie: the session it replaces ends now.
  const previous = readSessionCookie(request)
  if (previous !== undefined) await revokeAdminSessionByToken(ctx.db, previous)
  return createAdminSession(ctx.db, {
    userId: user.id,
    tenantId: user.tenant_id,
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
  })
}

/** The answer of a sign-in (`LoginResponse`): the bearer token, its CSRF token and the user. */
export function signedInAnswer(
  opened: { token: string; row: AdminSessionRow },
  user: AdminUserRow,
) {
  return {
    token: opened.token,
    token_type: 'bearer' as const,
    expires_at: opened.row.expires_at,
    csrf_token: csrfTokenFor(opened.token),
    user: userInfo(user),
  }
}

/** A console user as the API shows it. */
export function userInfo(user: AdminUserRow) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    tenant_id: user.tenant_id,
    role: user.role as TeamRole,
  }
}
