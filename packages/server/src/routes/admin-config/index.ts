import {
  buildEmbedSnippet,
  checkWidgetConfigUpdate,
  GaReadinessResponse,
  RegenerateKeyResponse,
  RotateIdentitySecretResponse,
  VoiceWidgetConfigResponse,
  WidgetConfigUpdate,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { recordAdminAction } from '../../audit/audit.ts'
import { adminAuth } from '../../auth/admin-auth.ts'
import {
  ADMIN_BODY_ERROR_RESPONSES,
  ADMIN_ERROR_RESPONSES,
  ADMIN_SECURITY,
} from '../../auth/admin-route-schema.ts'
import { validationError } from '../../errors.ts'
import {
  regeneratePublicWidgetKey,
  renewIdentitySecret,
  requireTenant,
  tenantWidgetConfig,
  updateWidgetConfigTracked,
} from '../../tenants/tenant-service.ts'
import { configResponse } from './config-view.ts'
import { gaReadiness } from './ga-readiness.ts'
import { phoneRoutes } from './phone-routes.ts'

const PREFIX = '/api/v1/voice-widget'
const TAGS = ['Voice widget configuration']

/**
 * The admin voice-widget API of the contract: read/replace the config, regenerate the public
 * key, rotate the identity secret, GA readiness. All under the `config` scope (GET/HEAD need
 * `config:read`, everything else `config:write`), 300 requests/minute per key.
 */
export async function adminConfigRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const auth = adminAuth(ctx, 'config')
  await phoneRoutes(app, ctx)

  r.get(
    `${PREFIX}/config`,
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Get widget config',
        description:
          'The full VoiceWidgetConfigResponse: every field with its default, the public widget key, the loader URL and a ready-to-paste embed snippet. Needs `config:read`.',
        security: ADMIN_SECURITY,
        response: { 200: VoiceWidgetConfigResponse, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) =>
      configResponse(await requireTenant(ctx.db, request.admin!.tenantId), ctx.config.publicUrl),
  )

  r.put(
    `${PREFIX}/config`,
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Update widget config',
        description:
          '`enabled`, `display_title` and `launcher_label` are required; omitted optional fields keep their value, `null` resets one to its default. Unknown fields are ignored. Needs `config:write`.',
        security: ADMIN_SECURITY,
        body: WidgetConfigUpdate,
        response: { 200: VoiceWidgetConfigResponse, ...ADMIN_BODY_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const checked = checkWidgetConfigUpdate(request.body)
      if ('issues' in checked) throw validationError(checked.issues)
      const { tenant, changed } = await updateWidgetConfigTracked(
        ctx,
        request.admin!.tenantId,
        checked.value,
        request.log,
      )
      if (changed.length > 0) {
        await recordAdminAction(ctx.db, request, {
          action: 'config.updated',
          details: { fields: changed },
        })
      }
      return configResponse(tenant, ctx.config.publicUrl)
    },
  )

  r.post(
    `${PREFIX}/config/regenerate-key`,
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Regenerate widget key',
        description:
          'Issues a new public widget key. The old key stops working immediately, open widget connections made with it are closed, and visitors in voice calls are removed from their LiveKit rooms. Needs `config:write`.',
        security: ADMIN_SECURITY,
        response: { 200: RegenerateKeyResponse, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const tenantId = request.admin!.tenantId
      const key = await regeneratePublicWidgetKey(ctx, tenantId, request.log)
      await recordAdminAction(ctx.db, request, { action: 'widget_key.regenerated' })
      return {
        public_widget_key: key,
        embed_snippet: buildEmbedSnippet({
          tenantId,
          publicKey: key,
          apiBaseUrl: ctx.config.publicUrl,
        }),
      }
    },
  )

  r.post(
    `${PREFIX}/config/rotate-identity-secret`,
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Rotate identity secret',
        description:
          'Issues a new identity-verification secret (user_hash = HMAC-SHA256(email, secret)) and returns it this once: `GET /config` never shows it. Hashes made with the old secret fail at once. Needs `config:write`.',
        security: ADMIN_SECURITY,
        response: { 200: RotateIdentitySecretResponse, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const secret = await renewIdentitySecret(ctx, request.admin!.tenantId, request.log)
      await recordAdminAction(ctx.db, request, { action: 'identity_secret.rotated' })
      return { identity_secret: secret }
    },
  )

  r.get(
    `${PREFIX}/ga-readiness`,
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'GA readiness check',
        description:
          'Whether the widget is ready to embed: allowed origins, enabled, voice (LiveKit) settings and the AI agent. `ready` is false when any check fails; `failed_checks` lists them. Needs `config:read`.',
        security: ADMIN_SECURITY,
        response: { 200: GaReadinessResponse, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const tenant = await requireTenant(ctx.db, request.admin!.tenantId)
      return gaReadiness(tenantWidgetConfig(tenant), ctx.config, ctx.agent)
    },
  )
}
