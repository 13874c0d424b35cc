import {
  TwoFactorDisableRequest,
  TwoFactorEnableRequest,
  TwoFactorEnableResponse,
  TwoFactorSetupRequest,
  TwoFactorSetupResponse,
  TwoFactorStatus,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { verifyPassword } from '../../admin-users/password.ts'
import { confirmTotp, SECOND_FACTOR_LIMIT, startTotpSetup } from '../../admin-users/two-factor.ts'
import { countUnusedRecoveryCodes, disableTotp } from '../../admin-users/two-factor-repo.ts'
import { type AdminUserRow, findAdminUserById } from '../../admin-users/user-repo.ts'
import type { RouteContext } from '../../app-deps.ts'
import { recordAdminAction } from '../../audit/audit.ts'
import { ADMIN_BODY_ERROR_RESPONSES, ADMIN_ERROR_RESPONSES } from '../../auth/admin-route-schema.ts'
import { actorOf, consoleSessionAuth } from '../../auth/session-auth.ts'
import {
  badRequest,
  conflict,
  invalidPassword,
  invalidSession,
  invalidTwoFactorCode,
  tooManyLoginAttempts,
} from '../../errors.ts'
import { throttleFailures } from '../../limits/failure-throttle.ts'
import { requireSecondFactor } from './second-factor.ts'

const TAGS = ['Console authentication']
const SECURITY = [{ Session: [] }]
const BODY_ERRORS = { ...ADMIN_BODY_ERROR_RESPONSES, 409: ADMIN_ERROR_RESPONSES[403] }

/**
 * Two-factor sign-in of the signed-in console user (sessions only): read the state, set up an
 * authenticator app (password asked again), confirm it with a code (recovery codes shown once),
 * turn it off with a code or the password. Wrong codes and passwords count against the user's
 * second-factor limit (429 past it) and are answered 403, never 401: the session stays valid.
 */
export async function twoFactorRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const auth = consoleSessionAuth(ctx)
  const noStore = async (_req: FastifyRequest, reply: FastifyReply) => {
    reply.header('Cache-Control', 'no-store')
  }
  const currentUser = async (request: FastifyRequest): Promise<AdminUserRow> => {
    const user = await findAdminUserById(ctx.db, actorOf(request).userId)
    if (!user) throw invalidSession()
    return user
  }
  /** The password asked again, with wrong ones counted like wrong codes. */
  const checkPassword = async (user: AdminUserRow, password: string) => {
    const outcome = await throttleFailures(
      ctx.limiter,
      [{ rule: SECOND_FACTOR_LIMIT, key: user.id }],
      async () => ((await verifyPassword(password, user.password_hash)) ? true : undefined),
    )
    if (outcome.blocked) throw tooManyLoginAttempts(outcome.retryAfterSec)
    if (outcome.value === undefined) throw invalidPassword()
  }

  r.get(
    '/api/v1/auth/two-factor',
    {
      onRequest: [auth, noStore],
      schema: {
        tags: TAGS,
        summary: 'Two-factor sign-in: state',
        security: SECURITY,
        response: { 200: TwoFactorStatus, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const user = await currentUser(request)
      return {
        enabled: user.totp_enabled_at !== null,
        enabled_at: user.totp_enabled_at,
        recovery_codes_remaining:
          user.totp_enabled_at === null ? 0 : await countUnusedRecoveryCodes(ctx.db, user.id),
      }
    },
  )

  r.post(
    '/api/v1/auth/two-factor/setup',
    {
      onRequest: [auth, noStore],
      schema: {
        tags: TAGS,
        summary: 'Two-factor sign-in: start setting up an authenticator app',
        description:
          'Asks for the password again, then makes a new secret (pending until `/enable` confirms a code; sign-in is unchanged until then). The answer holds the secret, its `otpauth://` URI and that URI as a QR code (SVG). 409 when two-factor sign-in is already on.',
        security: SECURITY,
        body: TwoFactorSetupRequest,
        response: { 200: TwoFactorSetupResponse, ...BODY_ERRORS },
      },
    },
    async (request) => {
      const user = await currentUser(request)
      if (user.totp_enabled_at !== null) throw conflict('Two-factor sign-in is already on')
      await checkPassword(user, request.body.password)
      const setup = await startTotpSetup(ctx.db, ctx.config.secret, user)
      return { secret: setup.secret, otpauth_uri: setup.otpauthUri, qr_svg: setup.qrSvg }
    },
  )

  r.post(
    '/api/v1/auth/two-factor/enable',
    {
      onRequest: [auth, noStore],
      schema: {
        tags: TAGS,
        summary: 'Two-factor sign-in: confirm with a code and turn it on',
        description:
          'Confirms the pending secret with a current code from the app. From now on sign-in asks for a code. Returns 10 one-time recovery codes: shown this once, stored hashed.',
        security: SECURITY,
        body: TwoFactorEnableRequest,
        response: { 200: TwoFactorEnableResponse, ...BODY_ERRORS },
      },
    },
    async (request) => {
      const user = await currentUser(request)
      if (user.totp_enabled_at !== null) throw conflict('Two-factor sign-in is already on')
      if (user.totp_pending_secret === null) {
        throw conflict('Start the setup first (POST /api/v1/auth/two-factor/setup)')
      }
      const outcome = await throttleFailures(
        ctx.limiter,
        [{ rule: SECOND_FACTOR_LIMIT, key: user.id }],
        () => confirmTotp(ctx.db, ctx.config.secret, user, request.body.code),
      )
      if (outcome.blocked) throw tooManyLoginAttempts(outcome.retryAfterSec)
      if (outcome.value === undefined) throw invalidTwoFactorCode(403)
      await recordAdminAction(ctx.db, request, {
        action: 'console.two_factor_enabled',
        target: user.id,
      })
      return { enabled: true as const, recovery_codes: outcome.value }
    },
  )

  r.post(
    '/api/v1/auth/two-factor/disable',
    {
      onRequest: [auth, noStore],
      schema: {
        tags: TAGS,
        summary: 'Two-factor sign-in: turn it off',
        description:
          'Needs a current code from the app, an unused recovery code, or the password. Deletes the secret and the recovery codes.',
        security: SECURITY,
        body: TwoFactorDisableRequest,
        response: { 204: { type: 'null', description: 'Turned off' }, ...BODY_ERRORS },
      },
    },
    async (request, reply) => {
      const { code, password } = request.body
      if ((code === undefined) === (password === undefined)) {
        throw badRequest('Send either code or password')
      }
      const user = await currentUser(request)
      if (user.totp_enabled_at === null) throw conflict('Two-factor sign-in is off')
      if (code !== undefined) {
        await requireSecondFactor(ctx, request, user, code, {
          status: 403,
          actor: { type: 'user', id: user.id },
        })
      } else {
        await checkPassword(user, password!)
      }
      await disableTotp(ctx.db, user.id)
      await recordAdminAction(ctx.db, request, {
        action: 'console.two_factor_disabled',
        target: user.id,
        details: { with: code !== undefined ? 'code' : 'password' },
      })
      return reply.status(204).send()
    },
  )
}
