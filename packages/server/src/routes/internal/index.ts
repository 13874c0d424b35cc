import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { requireInternalToken } from '../../internal/internal-auth.ts'
import { callEndedRoutes } from './call-ended-routes.ts'
import { conversationRoutes } from './conversation-routes.ts'
import { heartbeatRoutes } from './heartbeat-routes.ts'
import { phoneCallRoutes } from './phone-routes.ts'

/**
 * `/internal/v1/*`: the API of the voice agent worker — load a conversation, write call turns
 * back, report a call's end, get the shared agent's reply, report heartbeats. Not public: every request needs
 * `Authorization: Bearer <AURION_INTERNAL_TOKEN>` (checked before the body is even parsed), and
 * without that setting the whole API answers 503. Hidden from the public OpenAPI document.
 */
export async function internalRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.addHook('onRequest', requireInternalToken(ctx.config.internalApiToken, ctx.limiter))
  await conversationRoutes(app, ctx)
  await callEndedRoutes(app, ctx)
  await heartbeatRoutes(app, ctx)
  await phoneCallRoutes(app, ctx)
}
