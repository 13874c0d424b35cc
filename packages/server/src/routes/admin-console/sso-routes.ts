import {
  ErrorResponse,
  SsoCallbackQuery,
  SsoSettings,
  SsoSettingsUpdate,
  SsoStartQuery,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { recordAdminAction } from '../../audit/audit.ts'
import { ADMIN_BODY_ERROR_RESPONSES, ADMIN_ERROR_RESPONSES } from '../../auth/admin-route-schema.ts'
import { actorOf, consoleSessionAuth } from '../../auth/session-auth.ts'
import { type HostCookie, readHostCookie, setHostCookie } from '../../auth/session-cookie.ts'
import { ApiError, rateLimited, roleForbidden } from '../../errors.ts'
import { throttleAddress } from '../../limits/client-address.ts'
import type { RateLimitRule } from '../../limits/rate-limiter.ts'
import { finishSsoLogin, startSsoLogin } from '../../sso/sso-login.ts'
import { readSsoSettings, saveSsoSettings } from '../../sso/sso-settings.ts'
import { SSO_STATE_TTL_MS } from '../../sso/sso-state-repo.ts'
import { openConsoleSession } from './open-session.ts'

const TAGS = ['Console authentication']
const SECURITY = [{ Session: [] }]
const ERR = ErrorResponse
/** Each start records a pending sign-in: 30 a minute per client address. */
export const SSO_START_LIMIT: RateLimitRule = { bucket: 'sso-start', limit: 30, windowSec: 60 }
/** Where a signed-in browser lands. */
const CONSOLE_PATH = '/admin/'

/**
 * Console single sign-on with OpenID Connect: the owner's settings (`GET`/`PUT
 * /api/v1/auth/sso`), and the browser's round trip through the provider (`/sso/start` →
 * provider → `/sso/callback`, which opens a console session like the password sign-in).
 */
export async function ssoRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const auth = consoleSessionAuth(ctx)
  const noStore = async (_req: FastifyRequest, reply: FastifyReply) => {
    reply.header('Cache-Control', 'no-store')
  }
  const ownerOnly = async (request: FastifyRequest) => {
    const actor = actorOf(request)
    if (actor.role !== 'owner') throw roleForbidden(actor.role, 'the owner role')
  }

  r.get(
    '/api/v1/auth/sso',
    {
      onRequest: [auth, noStore],
      preHandler: ownerOnly,
      schema: {
        tags: TAGS,
        summary: 'Single sign-on: settings',
        description:
          "The workspace's OpenID Connect provider, allowed email domains and role mapping (owners only). The client secret is never shown: `client_secret_set` says whether one is stored.",
        security: SECURITY,
        response: { 200: SsoSettings, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) => readSsoSettings(ctx, actorOf(request).tenantId),
  )

  r.put(
    '/api/v1/auth/sso',
    {
      onRequest: [auth, noStore],
      preHandler: ownerOnly,
      schema: {
        tags: TAGS,
        summary: 'Single sign-on: change the settings',
        description:
          "Owners only. Omit `client_secret` to keep the stored one. Turning it on needs a client secret, at least one email domain (no other workspace's), and an issuer whose discovery document answers (400 otherwise). Audited as `sso.updated` with the changed fields.",
        security: SECURITY,
        body: SsoSettingsUpdate,
        response: {
          200: SsoSettings,
          ...ADMIN_BODY_ERROR_RESPONSES,
          409: { ...ERR, description: 'A domain signs in to another workspace' },
        },
      },
    },
    async (request) => {
      const { settings, changed } = await saveSsoSettings(
        ctx,
        actorOf(request).tenantId,
        request.body,
      )
      await recordAdminAction(ctx.db, request, {
        action: 'sso.updated',
        details: { fields: changed, enabled: settings.enabled },
      })
      return settings
    },
  )

  r.get(
    '/api/v1/auth/sso/start',
    {
      onRequest: noStore,
      schema: {
        tags: TAGS,
        summary: 'Single sign-on: start (redirects to the provider)',
        description:
          "Give `tenant` (a workspace id) or `email` (its domain finds the workspace). Redirects (302) to the provider's sign-in with PKCE, a state and a nonce; the state is single-use, bound to this browser by a cookie and valid 10 minutes. 404 when single sign-on is off or not set up; 30 starts a minute per address. A browser (`Accept: text/html`) is sent to `/admin/?sso_error=<status>` instead of an error answer.",
        querystring: SsoStartQuery,
        response: {
          302: { type: 'null' },
          303: { type: 'null' },
          400: ERR,
          404: ERR,
          409: ERR,
          429: ERR,
          502: ERR,
        },
      },
    },
    async (request, reply) => {
      return inBrowser(request, reply, async () => {
        const rate = await ctx.limiter.consume(SSO_START_LIMIT, throttleAddress(request.ip))
        if (!rate.allowed) throw rateLimited(rate.limit, rate.retryAfterSec)
        const { url, state } = await startSsoLogin(ctx, request.query)
        setStateCookie(request, reply, state, SSO_STATE_TTL_MS / 1000)
        return reply.redirect(url, 302)
      })
    },
  )

  r.get(
    '/api/v1/auth/sso/callback',
    {
      onRequest: noStore,
      schema: {
        tags: TAGS,
        summary: "Single sign-on: the provider's answer (opens a console session)",
        description:
          "The redirect URI to register with the provider. Exchanges the code, verifies the ID token (issuer, audience, signature, nonce), requires a verified email of an allowed domain, finds or creates the user with the mapped role, opens a console session (cookie) and redirects to the console. 400 for a missing, used, expired or other browser's state; 401 when the provider's answer is refused; 403 when the settings refuse the account; 502 when the provider cannot be reached. Audited as `console.sso_login` / `console.sso_login_failed`.",
        querystring: SsoCallbackQuery,
        response: {
          302: { type: 'null' },
          303: { type: 'null' },
          400: ERR,
          401: ERR,
          403: ERR,
          502: ERR,
        },
      },
    },
    async (request, reply) => {
      const cookieState = readHostCookie(request, STATE_COOKIE)
      setStateCookie(request, reply, '', 0)
      return inBrowser(request, reply, async () => {
        const raw = request.raw.url ?? ''
        const q = raw.indexOf('?')
        const result = await finishSsoLogin(ctx, {
          query: request.query as Record<string, string | undefined>,
          cookieState,
          search: q === -1 ? '' : raw.slice(q),
          ip: request.ip,
        })
        await openConsoleSession(ctx, request, reply, result.user, {
          action: 'console.sso_login',
          details: { role: result.user.role, provisioned: result.created },
        })
        return reply.redirect(CONSOLE_PATH, 302)
      })
    },
  )
}

/**
 * Runs a step of the browser's round trip. A refusal is the API's `{"detail"}` answer for API
 * clients; a browser navigating (`Accept: text/html`) is sent back to the console's sign-in page
 * with `?sso_error=<status>` instead, which shows a fixed message for it (never text from the
 * URL, so a crafted link cannot put words on the sign-in page). The detail is in the audit log.
 */
async function inBrowser(
  request: FastifyRequest,
  reply: FastifyReply,
  step: () => Promise<FastifyReply>,
): Promise<FastifyReply> {
  try {
    return await step()
  } catch (err) {
    const navigating = (request.headers.accept ?? '').includes('text/html')
    if (!(err instanceof ApiError) || !navigating) throw err
    request.log.info({ status: err.status, detail: err.detail }, 'single sign-on refused')
    return reply.redirect(`${CONSOLE_PATH}?sso_error=${err.status}`, 303)
  }
}

/** The state of the sign-in this browser started. */
const STATE_COOKIE: HostCookie = {
  plain: 'aurion_sso_state',
  secure: '__Host-aurion_sso_state',
}

/**
 * SameSite=Lax: the provider's redirect back is a top-level navigation from another site, which
 * a Strict cookie would not accompany.
 */
function setStateCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  state: string,
  maxAgeSec: number,
): void {
  setHostCookie(request, reply, STATE_COOKIE, state, { sameSite: 'lax', maxAge: maxAgeSec })
}
