import {
  ErrorResponse,
  InviteAcceptRequest,
  InviteLookupRequest,
  InviteLookupResponse,
  LoginResponse,
  ValidationErrorResponse,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { recordAudit } from '../../audit/audit.ts'
import { setSessionCookie } from '../../auth/session-cookie.ts'
import { ApiError, rateLimited } from '../../errors.ts'
import { throttleAddress } from '../../limits/client-address.ts'
import { throttleFailures } from '../../limits/failure-throttle.ts'
import type { RateLimitRule } from '../../limits/rate-limiter.ts'
import { acceptInvite, lookupInvite } from '../../team/invite-service.ts'
import { replaceBrowserSession, signedInAnswer } from './open-session.ts'

/** Wrong invitation tokens per client address: 30 per 15 minutes, then 429. */
export const INVITE_FAILURE_LIMIT: RateLimitRule = {
  bucket: 'invite-fail-ip',
  limit: 30,
  windowSec: 15 * 60,
}

const TAGS = ['Console authentication']
const ERR = { ...ErrorResponse }

/**
 * The set-password page's API (no session needed: the token is the credential).
 * `POST /api/v1/auth/invites/lookup` says whom a valid invitation is for;
 * `POST /api/v1/auth/invites/accept` creates the account once and signs it in like a login.
 * The token travels in the body, never in a URL the server logs.
 */
export async function inviteRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const noStore = async (_req: FastifyRequest, reply: FastifyReply) => {
    reply.header('Cache-Control', 'no-store')
  }
  /** Runs `fn`; an invalid invitation counts against the client address. */
  const throttled = async <T>(request: FastifyRequest, fn: () => Promise<T>): Promise<T> => {
    let refused: ApiError | undefined
    const outcome = await throttleFailures(
      ctx.limiter,
      [{ rule: INVITE_FAILURE_LIMIT, key: throttleAddress(request.ip) }],
      async () => {
        try {
          return await fn()
        } catch (err) {
          if (err instanceof ApiError && err.code === 'invalid_invite') {
            refused = err
            return undefined
          }
          throw err
        }
      },
    )
    if (outcome.blocked) throw rateLimited(outcome.limit, outcome.retryAfterSec)
    if (refused || outcome.value === undefined) throw refused
    return outcome.value
  }

  r.post(
    '/api/v1/auth/invites/lookup',
    {
      onRequest: noStore,
      schema: {
        tags: TAGS,
        summary: 'Read an invitation',
        description:
          'Whom a pending invitation is for. A forged, used, withdrawn or expired token: 400 `Invalid or expired invitation link`.',
        body: InviteLookupRequest,
        response: {
          200: InviteLookupResponse,
          400: ERR,
          422: ValidationErrorResponse,
          429: ERR,
        },
      },
    },
    async (request) => throttled(request, () => lookupInvite(ctx.db, request.body.token)),
  )

  r.post(
    '/api/v1/auth/invites/accept',
    {
      onRequest: noStore,
      schema: {
        tags: TAGS,
        summary: 'Accept an invitation: set a password and sign in',
        description:
          'Creates the console user with the invited role and signs them in (the same answer and cookie as `POST /api/v1/auth/login`). The link works once.',
        body: InviteAcceptRequest,
        response: {
          200: LoginResponse,
          400: ERR,
          409: ERR,
          422: ValidationErrorResponse,
          429: ERR,
        },
      },
    },
    async (request, reply) => {
      const user = await throttled(request, () => acceptInvite(ctx, request.body))
      await recordAudit(ctx.db, {
        tenantId: user.tenant_id,
        actor: { type: 'user', id: user.id },
        action: 'user.invite_accepted',
        target: user.id,
        details: { role: user.role },
        ip: request.ip,
      })
      const opened = await replaceBrowserSession(ctx, request, user)
      setSessionCookie(request, reply, opened.token, new Date(opened.row.expires_at))
      return signedInAnswer(opened, user)
    },
  )
}
