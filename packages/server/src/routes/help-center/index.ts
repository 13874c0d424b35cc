import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { helpCenterSettingsRoutes } from './settings-routes.ts'
import { helpCenterSiteRoutes } from './site-routes.ts'

/** The Help Center: its settings API and the public site. */
export async function helpCenterRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  await helpCenterSettingsRoutes(app, ctx)
  await helpCenterSiteRoutes(app, ctx)
}
