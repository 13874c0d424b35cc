import { WidgetSessionRequest, WidgetSessionResponse } from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { claimThreadForToken } from '../../conversations/visitor-access.ts'
import { identityVerificationFailed } from '../../errors.ts'
import { tokenIssueSecond } from '../../privacy/token-revocation.ts'
import {
  identityFingerprint,
  newTokenId,
  signEmailToken,
  verifyUserHash,
} from '../../visitors/email-token.ts'
import { identityOfToken } from '../../visitors/visitor-auth.ts'
import { authorizeWidget, limitByIp, PUBLIC_LIMITS } from '../../widget-auth/public-guard.ts'
import { PUBLIC_ERROR_RESPONSES, TAGS } from './schemas.ts'

/** `POST /api/v1/widget/session`: a visitor's email → an HMAC-signed email token. */
export async function sessionRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/api/v1/widget/session',
    {
      schema: {
        tags: TAGS,
        summary: 'Create a visitor session (email → email_token)',
        description:
          "Exchanges the visitor's email for an HMAC-signed `email_token` (30 days). The token reads and continues the conversations it starts (and, with `source_thread_id`, the unclaimed conversation this browser is in). It proves the email only with identity verification (`user_hash` = hex HMAC-SHA256(email, identity secret) from your backend; required when the tenant requires it, 403 otherwise) or after /widget/session/verify; only a token that proves the email lists every conversation of the email. 30 requests/minute per IP.",
        body: WidgetSessionRequest,
        response: { 200: WidgetSessionResponse, ...PUBLIC_ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const body = request.body
      await limitByIp(ctx, request, reply, PUBLIC_LIMITS.session)
      const access = await authorizeWidget(ctx, {
        tenantId: body.tenant_id,
        publicKey: body.public_key,
        originHeader: request.headers.origin,
      })
      const secret = access.tenant.identity_secret
      let identity: string | undefined
      // A user_hash is checked whenever it is sent: a wrong one means a misconfigured backend.
      if (access.config.identity_verification_required || body.user_hash !== undefined) {
        if (!verifyUserHash(secret, body.email, body.user_hash)) throw identityVerificationFailed()
        identity = identityFingerprint(secret)
      }
      const tokenId = newTokenId()
      if (body.source_thread_id !== undefined) {
        const email = body.email.toLowerCase()
        await claimThreadForToken(
          ctx.db,
          access.tenant.id,
          body.source_thread_id,
          identityOfToken({ id: tokenId, email, proven: identity !== undefined }),
        )
      }
      reply.header('Cache-Control', 'no-store')
      return {
        email_token: signEmailToken(ctx.config.secret, {
          tenantId: access.tenant.id,
          email: body.email,
          tokenId,
          identity,
          nowSec: tokenIssueSecond(access.tenant, ctx.config.secret, body.email),
        }),
      }
    },
  )
}
