import {
  applyWidgetConfigUpdate,
  buildEmbedSnippet,
  checkWidgetConfigUpdate,
  GaReadinessResponse,
  RegenerateKeyResponse,
  RotateIdentitySecretResponse,
  VoiceWidgetConfigResponse,
  WidgetConfigUpdate,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { adminAuth } from '../../auth/admin-auth.ts'
import {
  ADMIN_BODY_ERROR_RESPONSES,
  ADMIN_ERROR_RESPONSES,
  ADMIN_SECURITY,
} from '../../auth/admin-route-schema.ts'
import { conflict, notFound, validationError } from '../../errors.ts'
import type { BusEvent } from '../../realtime/bus.ts'
import {
  findTenantById,
  rotateIdentitySecret,
  rotatePublicWidgetKey,
  type TenantRow,
  updateTenantConfig,
} from '../../tenants/tenant-repo.ts'
import { configResponse, tenantWidgetConfig } from './config-view.ts'
import { gaReadiness } from './ga-readiness.ts'

const PREFIX = '/api/v1/voice-widget'
const TAGS = ['Voice widget configuration']
/** Compare-and-set attempts of one PUT before giving up with 409 (only under heavy contention). */
const MAX_UPDATE_ATTEMPTS = 5

/**
 * The admin voice-widget API of the contract: read/replace the config, regenerate the public
 * key, rotate the identity secret, GA readiness. All under the `config` scope (GET/HEAD need
 * `config:read`, everything else `config:write`), 300 requests/minute per key.
 */
export async function adminConfigRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const auth = adminAuth(ctx, 'config')

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
    async (request) => configResponse(await callerTenant(ctx, request), ctx.config.publicUrl),
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
      const tenantId = request.admin!.tenantId
      for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
        const tenant = await callerTenant(ctx, request)
        const current = tenantWidgetConfig(tenant)
        const next = applyWidgetConfigUpdate(current, checked.value)
        const stored = await updateTenantConfig(
          ctx.db,
          tenantId,
          { ...next },
          {
            expected: tenant.config,
          },
        )
        if (!stored) continue
        await publish(ctx, request.log, { type: 'tenant.config_changed', tenantId })
        if (current.enabled && !next.enabled) {
          await publish(ctx, request.log, {
            type: 'tenant.sockets_revoked',
            tenantId,
            reason: 'widget_disabled',
          })
        }
        return configResponse(await callerTenant(ctx, request), ctx.config.publicUrl)
      }
      throw conflict('The configuration is being changed concurrently; retry the request')
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
          'Issues a new public widget key. The old key stops working immediately and open widget connections made with it are closed. Needs `config:write`.',
        security: ADMIN_SECURITY,
        response: { 200: RegenerateKeyResponse, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const tenantId = request.admin!.tenantId
      const key = await rotatePublicWidgetKey(ctx.db, tenantId)
      if (key === undefined) throw notFound('Tenant not found')
      await publish(ctx, request.log, { type: 'tenant.config_changed', tenantId })
      await publish(ctx, request.log, {
        type: 'tenant.sockets_revoked',
        tenantId,
        reason: 'key_regenerated',
      })
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
          'Issues a new identity-verification secret (user_hash = HMAC-SHA256(email, secret)). Hashes made with the old secret fail at once. Needs `config:write`.',
        security: ADMIN_SECURITY,
        response: { 200: RotateIdentitySecretResponse, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) => {
      const tenantId = request.admin!.tenantId
      const secret = await rotateIdentitySecret(ctx.db, tenantId)
      if (secret === undefined) throw notFound('Tenant not found')
      await publish(ctx, request.log, { type: 'tenant.config_changed', tenantId })
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
      const tenant = await callerTenant(ctx, request)
      return gaReadiness(tenantWidgetConfig(tenant), ctx.config, ctx.agent)
    },
  )
}

/** The authenticated caller's tenant; a key whose tenant vanished meanwhile gets 404. */
async function callerTenant(ctx: RouteContext, request: FastifyRequest): Promise<TenantRow> {
  const tenant = await findTenantById(ctx.db, request.admin!.tenantId)
  if (!tenant) throw notFound('Tenant not found')
  return tenant
}

/**
 * The change is already stored when we publish: a bus failure (Redis down) must not turn a
 * durable change into an error answer. Other instances catch up when their caches expire.
 */
async function publish(ctx: RouteContext, log: FastifyBaseLogger, event: BusEvent): Promise<void> {
  try {
    await ctx.bus.publish(event)
  } catch (err) {
    log.error({ err, event: event.type }, 'could not publish a realtime event')
  }
}
