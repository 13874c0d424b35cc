import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'

/** Routes of this area; see the owning issue. */
export async function embedRoutes(_app: FastifyInstance, _ctx: RouteContext): Promise<void> {}
