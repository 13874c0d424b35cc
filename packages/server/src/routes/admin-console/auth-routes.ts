import {
  ErrorResponse,
  LoginErrorResponse,
  LoginRequest,
  LoginResponse,
  MeResponse,
  ValidationErrorResponse,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { verifyAgainstDummy, verifyPassword } from '../../admin-users/password.ts'
import { findAdminSessionById, revokeAdminSession } from '../../admin-users/session-repo.ts'
import {
  findAdminUserByEmail,
  findAdminUserById,
  normalizeEmail,
} from '../../admin-users/user-repo.ts'
import type { RouteContext } from '../../app-deps.ts'
import { auditHash, recordAudit } from '../../audit/audit.ts'
import { type AdminPrincipal, authenticate } from '../../auth/admin-auth.ts'
import { clearSessionCookie } from '../../auth/session-cookie.ts'
import {
  invalidCredentials,
  invalidSession,
  sessionRequired,
  tooManyLoginAttempts,
  twoFactorRequired,
} from '../../errors.ts'
import { throttleAddress } from '../../limits/client-address.ts'
import { throttleFailures } from '../../limits/failure-throttle.ts'
import type { RateLimitRule } from '../../limits/rate-limiter.ts'
import { findTenantById } from '../../tenants/tenant-repo.ts'
import { openConsoleSession, signedInAnswer, userInfo } from './open-session.ts'
import { requireSecondFactor } from './second-factor.ts'

/**
 * Sign-in throttles. Only failures count (a wrong email or password); a refused or successful
 * attempt costs nothing. Both are per client address (an IPv6 address by its /64), so an
 * attacker can only lock out their own address, never an account: 10 failures per 15 minutes for one email from one address
 * (guessing one account), 60 from one address over all emails (spraying many).
 */
export const LOGIN_LIMITS = {
  perEmail: { bucket: 'admin-login-fail', limit: 10, windowSec: 15 * 60 },
  perIp: { bucket: 'admin-login-fail-ip', limit: 60, windowSec: 15 * 60 },
} as const satisfies Record<string, RateLimitRule>

const TAGS = ['Console authentication']
const SESSION_SECURITY = [{ Session: [] }]
const ERR = { ...ErrorResponse }

/**
 * Console sign-in: `POST /api/v1/auth/login` trades an email and password for a session, both
 * as a token (sent as `Authorization: Bearer …` by API clients) and as the console's HttpOnly
 * cookie (shared by every tab); `GET /api/v1/auth/me` describes the session,
 * `POST /api/v1/auth/logout` revokes it.
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
          "Checks an admin user's email and password and opens a 12-hour session: the token in the body for `Authorization: Bearer`, and for the browser console the same session in an HttpOnly, SameSite=Strict cookie (writes made with the cookie need `X-CSRF-Token: <csrf_token>`). Wrong email and wrong password get the same answer in the same time. Failed attempts are limited per client address: 10 per 15 minutes for one email, 60 over all emails; then 429 with `Retry-After`. A user with two-factor sign-in on also sends `code` (the app's 6-digit code, or a recovery code); without it the answer is 401 with `two_factor_required: true`. Each app code works once; 5 wrong codes in 15 minutes lock that user's codes (429) until the window passes.",
        body: LoginRequest,
        response: {
          200: LoginResponse,
          400: ERR,
          401: LoginErrorResponse,
          422: ValidationErrorResponse,
          429: ERR,
        },
      },
    },
    async (request, reply) => {
      const email = normalizeEmail(request.body.email)
      const ip = throttleAddress(request.ip)
      let known: { id: string; tenant_id: string } | undefined
      const outcome = await throttleFailures(
        ctx.limiter,
        [
          { rule: LOGIN_LIMITS.perEmail, key: `${ip}|${email}` },
          { rule: LOGIN_LIMITS.perIp, key: ip },
        ],
        async () => {
          const user = await findAdminUserByEmail(ctx.db, email)
          known = user
          const ok = user
            ? await verifyPassword(request.body.password, user.password_hash)
            : await verifyAgainstDummy(request.body.password)
          return user && ok ? user : undefined
        },
      )
      if (outcome.blocked) throw tooManyLoginAttempts(outcome.retryAfterSec)
      const user = outcome.value
      if (!user) {
        request.log.info({ ip }, 'console sign-in refused')
        // A wrong password for a known user goes to that user's tenant's log (the email as a
        // keyed hash, never the password); an unknown email belongs to no tenant.
        if (known !== undefined) {
          await recordAudit(ctx.db, {
            tenantId: known.tenant_id,
            actor: { type: 'anonymous', id: null },
            action: 'console.sign_in_failed',
            target: known.id,
            details: { email_hash: auditHash(ctx.config.secret, email) },
            ip: request.ip,
          })
        }
        throw invalidCredentials()
      }
      if (user.totp_enabled_at !== null) {
        if (request.body.code === undefined) throw twoFactorRequired()
        await requireSecondFactor(ctx, request, user, request.body.code, {
          status: 401,
          actor: { type: 'user', id: user.id },
        })
      }
      const opened = await openConsoleSession(ctx, request, reply, user, {
        action: 'console.signed_in',
      })
      return signedInAnswer(opened, user)
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
        user: userInfo(user),
        tenant: { id: tenant.id, name: tenant.name },
        scopes: principal.scopes,
        expires_at: session.expires_at,
        csrf_token: principal.csrfToken!,
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
        description:
          'The session stops working at once, on every instance, and the session cookie is cleared. With the cookie, send `X-CSRF-Token`.',
        security: SESSION_SECURITY,
        response: { 204: { type: 'null', description: 'Signed out' }, 401: ERR, 403: ERR },
      },
    },
    async (request, reply) => {
      const principal = await sessionPrincipal(ctx, request)
      await revokeAdminSession(ctx.db, principal.id)
      clearSessionCookie(request, reply)
      return reply.status(204).send()
    },
  )
}

async function sessionPrincipal(
  ctx: RouteContext,
  request: FastifyRequest,
): Promise<AdminPrincipal> {
  const principal = await authenticate(ctx, request)
  if (principal.kind !== 'session' || principal.userId === undefined) throw sessionRequired()
  return principal
}
