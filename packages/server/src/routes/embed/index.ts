import { SourceThreadId, VoiceTokenResponse } from '@aurion/contract'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { adminAuth } from '../../auth/admin-auth.ts'
import { isVoiceConfigured } from '../../voice/livekit-token.ts'
import { issueDashboardVoiceToken, issueWidgetVoiceToken } from '../../voice/voice-token-service.ts'
import {
  authorizeWidget,
  limitByIp,
  limitByKey,
  PUBLIC_LIMITS,
  registerPublicCors,
} from '../../widget-auth/public-guard.ts'
import { EMBED_CONFIG_PATH } from './config-fast-path.ts'
import { publicConfigJson } from './public-config-json.ts'

const PublicAuthBody = Type.Object({
  tenant_id: Type.String({ maxLength: 100 }),
  public_key: Type.String({ maxLength: 200 }),
})

const EmbedTokenBody = Type.Object({
  tenant_id: Type.String({ maxLength: 100 }),
  public_key: Type.String({ maxLength: 200 }),
  user_email: Type.Optional(
    Type.String({
      format: 'email',
      maxLength: 254,
      description:
        "Self-asserted hint: links the call to the visitor's contact; it makes pre_authenticated true only when the tenant turned voice auth off and the email belongs to an existing contact",
    }),
  ),
  email_token: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 2048,
      description:
        'Token from /widget/session: proves the email, and is required to continue a conversation proven by one',
    }),
  ),
  conversation_id: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'Continue this conversation (from a /widget/messages answer) by voice',
    }),
  ),
  source_thread_id: Type.Optional(SourceThreadId),
})

const EMBED_PREFIX = '/api/v1/voice-widget/embed'

/**
 * Public embed endpoints (`/api/v1/voice-widget/embed/config`, `/embed/token`: tenant_id +
 * public_key + allowed Origin) and the authenticated `POST /api/v1/voice-widget/token`.
 */
export async function embedRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  // The public routes live in their own scope so the public CORS hooks never touch admin routes.
  const voice = isVoiceConfigured(ctx.config)
  await app.register(async (pub) => {
    registerPublicCors(pub, ctx, EMBED_PREFIX)

    pub.post(
      EMBED_CONFIG_PATH,
      {
        schema: {
          tags: ['embed'],
          summary: 'Public branding and behaviour config of the widget (no keys or secrets)',
          body: PublicAuthBody,
        },
      },
      async (request, reply) => {
        await limitByIp(ctx, request, reply, PUBLIC_LIMITS.embedConfig)
        const body = request.body as { tenant_id: string; public_key: string }
        const access = await authorizeWidget(ctx, {
          tenantId: body.tenant_id,
          publicKey: body.public_key,
          originHeader: request.headers.origin,
        })
        reply.header('Cache-Control', 'no-store')
        reply.header('Content-Type', 'application/json; charset=utf-8')
        return publicConfigJson(access.config, voice)
      },
    )

    pub.post(
      `${EMBED_PREFIX}/token`,
      {
        schema: {
          tags: ['embed'],
          summary: 'LiveKit participant token for a visitor (public key + allowed Origin)',
          body: EmbedTokenBody,
          response: { 200: VoiceTokenResponse },
        },
      },
      async (request, reply) => {
        await limitByIp(ctx, request, reply, PUBLIC_LIMITS.embedToken)
        const body = request.body as {
          tenant_id: string
          public_key: string
          user_email?: string
          email_token?: string
          conversation_id?: string
          source_thread_id?: string
        }
        const access = await authorizeWidget(ctx, {
          tenantId: body.tenant_id,
          publicKey: body.public_key,
          originHeader: request.headers.origin,
        })
        reply.header('Cache-Control', 'no-store')
        return issueWidgetVoiceToken(ctx, access, {
          userEmail: body.user_email,
          emailToken: body.email_token,
          conversationId: body.conversation_id,
          sourceThreadId: body.source_thread_id,
        })
      },
    )
  })

  await app.register(async (admin) => {
    // The route takes no body; whatever a client sends (often an empty JSON body) is ignored.
    admin.removeAllContentTypeParsers()
    admin.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_r, _b, done) =>
      done(null, undefined),
    )
    admin.post(
      '/api/v1/voice-widget/token',
      {
        onRequest: adminAuth(ctx, 'config'),
        schema: {
          tags: ['voice-widget'],
          summary:
            'LiveKit participant token for the authenticated member (config:write; 5/minute)',
          security: [{ ApiKey: [] }, { Session: [] }],
          response: { 200: VoiceTokenResponse },
        },
      },
      async (request, reply) => {
        const principal = request.admin!
        const who =
          principal.kind === 'session' ? `user:${principal.userId}` : `api_key:${principal.id}`
        await limitByKey(ctx, reply, PUBLIC_LIMITS.voiceToken, who)
        reply.header('Cache-Control', 'no-store')
        return issueDashboardVoiceToken(ctx, principal)
      },
    )
  })
}
