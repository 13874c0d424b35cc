import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { registerPublicCors } from '../../widget-auth/public-guard.ts'
import { deleteConversationRoutes } from './delete-conversation.ts'
import { feedbackRoutes } from './feedback.ts'
import { historyRoutes } from './history.ts'
import { messageRoutes } from './messages.ts'
import { resolveRoutes } from './resolve.ts'
import { sessionRoutes } from './session.ts'
import { sessionVerifyRoutes } from './session-verify.ts'
import { widgetSocketRoutes } from './socket/index.ts'
import { uploadRoutes } from './uploads.ts'

/**
 * The public widget API under `/api/v1/widget`: session, messages, history, resolve, delete, feedback, uploads and
 * the WebSocket. Every route authenticates with tenant_id + public_key + an allowed Origin
 * (`authorizeWidget`) and is rate limited per client IP; CORS is answered here for all of them.
 * `wsHeartbeatMs` (tests) shortens the WebSocket ping interval.
 */
export async function publicWidgetRoutes(
  app: FastifyInstance,
  ctx: RouteContext & { wsHeartbeatMs?: number },
): Promise<void> {
  registerPublicCors(app, ctx, '/api/v1/widget')
  await sessionRoutes(app, ctx)
  await sessionVerifyRoutes(app, ctx)
  await messageRoutes(app, ctx)
  await historyRoutes(app, ctx)
  await resolveRoutes(app, ctx)
  await deleteConversationRoutes(app, ctx)
  await feedbackRoutes(app, ctx)
  await uploadRoutes(app, ctx)
  await widgetSocketRoutes(app, ctx)
}
