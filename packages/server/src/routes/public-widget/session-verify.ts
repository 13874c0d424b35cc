import {
  ErrorResponse,
  WidgetSessionCodeRequest,
  WidgetSessionCodeResponse,
  WidgetSessionResponse,
  WidgetSessionVerifyRequest,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { CODE_LIMITS, sendEmailCode, verifyEmailCode } from '../../visitors/email-verification.ts'
import { verifyVisitorToken } from '../../visitors/visitor-auth.ts'
import { authorizeWidget, limitByIp } from '../../widget-auth/public-guard.ts'
import { INVALID_TOKEN_RESPONSE, PUBLIC_ERROR_RESPONSES, TAGS } from './schemas.ts'

/**
 * Proving a token's email with a one-time code: `POST /api/v1/widget/session/code` mails it,
 * `POST /api/v1/widget/session/verify` exchanges it for an email token that proves the email
 * (and so lists the email's conversations from every device).
 */
export async function sessionVerifyRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>()
  typed.post(
    '/api/v1/widget/session/code',
    {
      schema: {
        tags: TAGS,
        summary: 'Mail a one-time code to the email of an email_token',
        description:
          'Sends a 6-digit code, valid 10 minutes, to the email of `email_token` (replacing an earlier one). 10 requests/minute per IP; 3 codes per 15 minutes and 10 a day per email. 503 when this server sends no mail.',
        body: WidgetSessionCodeRequest,
        response: {
          202: WidgetSessionCodeResponse,
          409: { ...ErrorResponse, description: 'The token already proves its email' },
          503: { ...ErrorResponse, description: 'No mail configured, or the send failed' },
          ...INVALID_TOKEN_RESPONSE,
          ...PUBLIC_ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const body = request.body
      await limitByIp(ctx, request, reply, CODE_LIMITS.sendPerIp)
      const access = await authorizeWidget(ctx, {
        tenantId: body.tenant_id,
        publicKey: body.public_key,
        originHeader: request.headers.origin,
      })
      const token = verifyVisitorToken(ctx, access, body.email_token)
      const sent = await sendEmailCode(ctx, access, token)
      return reply.status(202).header('Cache-Control', 'no-store').send(sent)
    },
  )
  typed.post(
    '/api/v1/widget/session/verify',
    {
      schema: {
        tags: TAGS,
        summary: 'Exchange the mailed code for a verified email_token',
        description:
          "The code from /widget/session/code → a new `email_token` (same shape as /widget/session) that proves the email: /widget/history then lists every conversation of the email, and this token's conversations are filed under it. 5 tries per code; 20 requests/minute per IP.",
        body: WidgetSessionVerifyRequest,
        response: {
          200: WidgetSessionResponse,
          400: {
            ...ErrorResponse,
            description: '{"detail": "Invalid or expired verification code"}',
          },
          ...INVALID_TOKEN_RESPONSE,
          ...PUBLIC_ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const body = request.body
      await limitByIp(ctx, request, reply, CODE_LIMITS.verifyPerIp)
      const access = await authorizeWidget(ctx, {
        tenantId: body.tenant_id,
        publicKey: body.public_key,
        originHeader: request.headers.origin,
      })
      const token = verifyVisitorToken(ctx, access, body.email_token)
      reply.header('Cache-Control', 'no-store')
      return verifyEmailCode(ctx, access, token, body.code)
    },
  )
}
