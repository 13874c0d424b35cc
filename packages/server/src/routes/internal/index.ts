import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { requireInternalToken } from '../../internal/internal-auth.ts'
import { conversationRoutes } from './conversation-routes.ts'
import { heartbeatRoutes } from './heartbeat-routes.ts'

/**
 * `/internal/v1/*`: the API of the voice agent worker — load a conversation, write call turns
 * back, get the shared agent's reply, report heartbeats. Not public: every request needs
 * `Authorization: Bearer <AURION_INTERNAL_TOKEN>` (checked before the body is even parsed), and
 * without that setting the whole API answers 503. Hidden from the public OpenAPI document.
 */
export async function internalRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.addHook('onRequest', requireInternalToken(ctx.config.internalApiToken, ctx.limiter))
  await conversationRoutes(app, ctx)
  await heartbeatRoutes(app, ctx)
}
