import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { authRoutes } from './auth-routes.ts'
import { consoleAssetRoutes } from './console-assets.ts'
import { conversationsRoutes } from './conversations-routes.ts'

/**
 * The admin console: its sign-in API (`/api/v1/auth/*`), the read-only conversations API it
 * shows, and the built Preact app served at `/admin`.
 */
export async function adminConsoleRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  await authRoutes(app, ctx)
  await conversationsRoutes(app, ctx)
  await consoleAssetRoutes(app)
}
