import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { authRoutes } from './auth-routes.ts'
import { consoleAssetRoutes } from './console-assets.ts'
import { conversationActionRoutes } from './conversation-actions-routes.ts'
import { conversationsRoutes } from './conversations-routes.ts'
import { inboxEventsRoutes } from './inbox-events-routes.ts'
import { inviteRoutes } from './invite-routes.ts'
import { sessionRoutes } from './session-routes.ts'
import { ssoRoutes } from './sso-routes.ts'
import { twoFactorRoutes } from './two-factor-routes.ts'

/**
 * The admin console: its sign-in API (`/api/v1/auth/*`), the read-only conversations API it
 * shows, and the built Preact app served at `/admin`.
 */
export async function adminConsoleRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  await authRoutes(app, ctx)
  await conversationsRoutes(app, ctx)
  await conversationActionRoutes(app, ctx)
  await inboxEventsRoutes(app, ctx)
  await inviteRoutes(app, ctx)
  await twoFactorRoutes(app, ctx)
  await sessionRoutes(app, ctx)
  await ssoRoutes(app, ctx)
  await consoleAssetRoutes(app)
}
