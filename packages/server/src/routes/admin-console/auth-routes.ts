import {
  ErrorResponse,
  LoginRequest,
  LoginResponse,
  MeResponse,
  ValidationErrorResponse,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { verifyAgainstDummy, verifyPassword } from '../../admin-users/password.ts'
import {
  createAdminSession,
  deleteStaleAdminSessions,
  findAdminSessionById,
  revokeAdminSession,
} from '../../admin-users/session-repo.ts'
import {
  findAdminUserByEmail,
  findAdminUserById,
  normalizeEmail,
} from '../../admin-users/user-repo.ts'
import type { RouteContext } from '../../app-deps.ts'
import { type AdminPrincipal, authenticate } from '../../auth/admin-auth.ts'
import {
  invalidCredentials,
  invalidSession,
  sessionRequired,
  tooManyLoginAttempts,
} from '../../errors.ts'
import type { RateLimitRule } from '../../limits/rate-limiter.ts'
import { findTenantById } from '../../tenants/tenant-repo.ts'

/**
 * Login limits. Every attempt counts, successful or not: 10 per 15 minutes for one email from
 * one address (guessing one account), 60 per 15 minutes from one address (spraying many).
 */
export const LOGIN_LIMITS = {
  perEmail: { bucket: 'admin-login', limit: 10, windowSec: 15 * 60 },
  perIp: { bucket: 'admin-login-ip', limit: 60, windowSec: 15 * 60 },
} as const satisfies Record<string, RateLimitRule>

const TAGS = ['Console authentication']
const SESSION_SECURITY = [{ Session: [] }]
const ERR = { ...ErrorResponse }

/**
 * Console sign-in: `POST /api/v1/auth/login` trades an email and password for a session token
 * (sent as `Authorization: Bearer …` on every admin route), `GET /api/v1/auth/me` describes the
 * session, `POST /api/v1/auth/logout` revokes it.
 */
export async function authRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const noStore = async (_req: FastifyRequest, reply: FastifyReply) => {
    reply.header('Cache-Control', 'no-store')
  }

  r.post(
    '/api/v1/auth/login',
    {
      onRequest: noStore,
      schema: {
        tags: TAGS,
        summary: 'Sign in to the console',
        description:
          "Checks an admin user's email and password and opens a 12-hour session. Wrong email and wrong password get the same answer in the same time. Limited to 10 attempts per 15 minutes per address and email.",
        body: LoginRequest,
        response: {
          200: LoginResponse,
          400: ERR,
          401: ERR,
          422: ValidationErrorResponse,
          429: ERR,
        },
      },
    },
    async (request) => {
      const email = normalizeEmail(request.body.email)
      const ip = request.ip
      // Both limits are consumed before any password work, so a blocked caller costs nothing.
      const [perEmail, perIp] = await Promise.all([
        ctx.limiter.consume(LOGIN_LIMITS.perEmail, `${ip}|${email}`),
        ctx.limiter.consume(LOGIN_LIMITS.perIp, ip),
      ])
      const blocked = [perEmail, perIp].filter((r) => !r.allowed)
      if (blocked.length > 0) {
        throw tooManyLoginAttempts(Math.max(...blocked.map((r) => r.retryAfterSec)))
      }
      const user = await findAdminUserByEmail(ctx.db, email)
      const ok = user
        ? await verifyPassword(request.body.password, user.password_hash)
        : await verifyAgainstDummy(request.body.password)
      if (!user || !ok) {
        request.log.info({ ip }, 'console sign-in refused')
        throw invalidCredentials()
      }
      const { token, row } = await createAdminSession(ctx.db, {
        userId: user.id,
        tenantId: user.tenant_id,
      })
      deleteStaleAdminSessions(ctx.db).catch((err: unknown) =>
        request.log.warn({ err }, 'could not delete stale console sessions'),
      )
      return {
        token,
        token_type: 'bearer' as const,
        expires_at: row.expires_at,
        user: { id: user.id, email: user.email, name: user.name, tenant_id: user.tenant_id },
      }
    },
  )

  r.get(
    '/api/v1/auth/me',
    {
      onRequest: noStore,
      schema: {
        tags: TAGS,
        summary: 'The signed-in console user',
        security: SESSION_SECURITY,
        response: { 200: MeResponse, 401: ERR, 403: ERR },
      },
    },
    async (request) => {
      const principal = await sessionPrincipal(ctx, request)
      const [session, user, tenant] = await Promise.all([
        findAdminSessionById(ctx.db, principal.id),
        findAdminUserById(ctx.db, principal.userId!),
        findTenantById(ctx.db, principal.tenantId),
      ])
      if (!session || !user || !tenant) throw invalidSession()
      return {
        user: { id: user.id, email: user.email, name: user.name, tenant_id: user.tenant_id },
        tenant: { id: tenant.id, name: tenant.name },
        scopes: principal.scopes,
        expires_at: session.expires_at,
      }
    },
  )

  r.post(
    '/api/v1/auth/logout',
    {
      onRequest: noStore,
      schema: {
        tags: TAGS,
        summary: 'Sign out (revoke the session)',
        description: 'The token stops working at once, on every instance.',
        security: SESSION_SECURITY,
        response: { 204: { type: 'null', description: 'Signed out' }, 401: ERR, 403: ERR },
      },
    },
    async (request, reply) => {
      const principal = await sessionPrincipal(ctx, request)
      await revokeAdminSession(ctx.db, principal.id)
      return reply.status(204).send()
    },
  )
}

async function sessionPrincipal(
  ctx: RouteContext,
  request: FastifyRequest,
): Promise<AdminPrincipal> {
  const principal = await authenticate(ctx.db, request)
  if (principal.kind !== 'session' || principal.userId === undefined) throw sessionRequired()
  return principal
}
