import {
  ErrorResponse,
  HelpCenterSettings,
  HelpCenterUpdate,
  ValidationErrorResponse,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { adminAuth } from '../../auth/admin-auth.ts'
import { ADMIN_SECURITY, adminErrorResponses } from '../../auth/admin-route-schema.ts'
import {
  getHelpCenterSettings,
  putHelpCenterSettings,
} from '../../help-center/help-center-service.ts'

const TAGS = ['Help Center']
const SECURITY = ADMIN_SECURITY
const AUTH_ERRORS = adminErrorResponses('help-center:write')

/**
 * `GET`/`PUT /api/v1/help-center`: the tenant's public Help Center (scope `help-center`:
 * `help-center:read` for GET, `help-center:write` for PUT, by the contract's path-prefix rule).
 */
export async function helpCenterSettingsRoutes(
  app: FastifyInstance,
  ctx: RouteContext,
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const auth = adminAuth(ctx, 'help-center')

  r.get(
    '/api/v1/help-center',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Get the Help Center settings',
        description: '404 until the first `PUT`. Needs `help-center:read`.',
        security: SECURITY,
        response: {
          200: HelpCenterSettings,
          404: { ...ErrorResponse, description: 'Not set up yet' },
          ...AUTH_ERRORS,
        },
      },
    },
    async (request) => getHelpCenterSettings(ctx, request.admin!.tenantId),
  )

  r.put(
    '/api/v1/help-center',
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Set up or change the Help Center',
        description:
          'The public site at `/hc/{slug}` (and `https://{slug}.{domain}` with `AURION_HELP_CENTER_DOMAIN`) shows the published articles. The slug is a DNS label, unique across tenants (409 when taken). Needs `help-center:write`.',
        security: SECURITY,
        body: HelpCenterUpdate,
        response: {
          200: HelpCenterSettings,
          400: { ...ErrorResponse, description: 'Malformed JSON body' },
          409: { ...ErrorResponse, description: 'Another tenant has this slug' },
          422: ValidationErrorResponse,
          ...AUTH_ERRORS,
        },
      },
    },
    async (request) =>
      putHelpCenterSettings(ctx, request.log, request.admin!.tenantId, request.body),
  )
}
