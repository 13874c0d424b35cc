import { resolveWidgetConfig, type WidgetConfig } from '@aurion/contract'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { RouteContext } from '../app-deps.ts'
import { safeEqual } from '../auth/keys.ts'
import { originNotAllowed, rateLimited, widgetAccessDenied } from '../errors.ts'
import { type RateLimitRule, whenConsumed } from '../limits/rate-limiter.ts'
import {
  findTenantById,
  isOriginAllowedByAnyTenant,
  type TenantRow,
} from '../tenants/tenant-repo.ts'
import {
  isHelpCenterOrigin,
  isOriginAllowed,
  requestOrigin,
  sameOriginRequestOrigin,
} from './origin.ts'

/** Per client IP limits of the public surface (the contract's table plus our own for the rest). */
export const PUBLIC_LIMITS = {
  session: { bucket: 'widget-session', limit: 30, windowSec: 60 },
  messages: { bucket: 'widget-messages', limit: 60, windowSec: 60 },
  uploads: { bucket: 'widget-uploads', limit: 30, windowSec: 60 },
  history: { bucket: 'widget-history', limit: 60, windowSec: 60 },
  download: { bucket: 'widget-download', limit: 120, windowSec: 60 },
  wsConnect: { bucket: 'widget-ws-connect', limit: 30, windowSec: 60 },
  embedConfig: { bucket: 'embed-config', limit: 120, windowSec: 60 },
  embedToken: { bucket: 'embed-token', limit: 10, windowSec: 60 },
  /** POST /voice-widget/token: 5/minute per authenticated principal (contract). */
  voiceToken: { bucket: 'voice-token', limit: 5, windowSec: 60 },
} as const satisfies Record<string, RateLimitRule>

export interface WidgetAccess {
  tenant: TenantRow
  config: WidgetConfig
  origin: string
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

// The tenant cache hands out the same row object until the tenant changes: parse its config once
// per row, not once per request. Frozen, as every request of the tenant shares it.
const configs = new WeakMap<TenantRow, WidgetConfig>()
function configOf(tenant: TenantRow): WidgetConfig {
  let config = configs.get(tenant)
  if (config === undefined) {
    config = Object.freeze(resolveWidgetConfig(JSON.parse(tenant.config)))
    configs.set(tenant, config)
  }
  return config
}

/**
 * Authenticates a public widget call: tenant + public key (constant time) + enabled widget, then
 * the Origin. Unknown tenant, wrong/old key and disabled widget share one 403 body (no tenant
 * enumeration); a missing or disallowed Origin is 403 "Origin not allowed".
 */
export async function authorizeWidget(
  ctx: RouteContext,
  input: {
    tenantId: unknown
    publicKey: unknown
    originHeader: string | string[] | undefined
    /**
     * `Sec-Fetch-Site`, on routes browsers reach with same-origin GETs: without an `Origin`,
     * `same-origin` stands for the server's public origin (see {@link sameOriginRequestOrigin}).
     */
    fetchSite?: string | string[] | undefined
  },
): Promise<WidgetAccess> {
  const { tenantId, publicKey } = input
  if (typeof tenantId !== 'string' || typeof publicKey !== 'string' || !UUID_RE.test(tenantId)) {
    throw widgetAccessDenied()
  }
  const id = tenantId.toLowerCase()
  const tenant = await (ctx.tenantCache?.get(id) ?? findTenantById(ctx.db, id))
  const originHeader =
    input.originHeader ?? sameOriginRequestOrigin(input.fetchSite, ctx.config.publicUrl)
  return checkWidgetAccess(
    tenant,
    publicKey,
    originHeader,
    ctx.config.helpCenterDomain,
    publicOriginOf(ctx.config.publicUrl),
  )
}

const publicOrigins = new Map<string, string>()
/** `AURION_PUBLIC_URL`'s origin (parsed once). */
export function publicOriginOf(publicUrl: string): string {
  let origin = publicOrigins.get(publicUrl)
  if (origin === undefined) {
    origin = new URL(publicUrl).origin.toLowerCase()
    publicOrigins.set(publicUrl, origin)
  }
  return origin
}

/**
 * The checks of {@link authorizeWidget} once the tenant row is at hand (`undefined`: unknown).
 * @throws ApiError 403 widget access denied / origin not allowed.
 */
export function checkWidgetAccess(
  tenant: TenantRow | undefined,
  publicKey: string,
  originHeader: string | string[] | undefined,
  helpCenterDomain: string | undefined,
  /** This server's public origin, where the tenant's `/hc/{slug}` pages are served. */
  publicOrigin?: string,
): WidgetAccess {
  // Compare even when the tenant is unknown so both paths take the same time.
  const keyOk = safeEqual(publicKey, tenant?.public_widget_key ?? 'vwk_000000000000000000000000')
  if (!tenant || !keyOk) throw widgetAccessDenied()
  const config = configOf(tenant)
  if (!config.enabled) throw widgetAccessDenied()
  const origin = requestOrigin(originHeader)
  const helpCenter =
    publicOrigin === undefined ? undefined : { slug: tenant.help_center_slug, publicOrigin }
  if (!isOriginAllowed(origin, config, helpCenterDomain, helpCenter)) throw originNotAllowed()
  return { tenant, config, origin: origin! }
}

/** Is `tenantId` shaped like a tenant id (a UUID)? Anything else is refused unread. */
export function isTenantIdShape(tenantId: string): boolean {
  return UUID_RE.test(tenantId)
}

/**
 * Consumes one point of `rule` for the client IP; sets X-RateLimit-* and throws 429 when over.
 * Synchronous with the in-process limiter (await it all the same).
 */
export function limitByIp(
  ctx: RouteContext,
  request: FastifyRequest,
  reply: FastifyReply | undefined,
  rule: RateLimitRule,
): Promise<void> | undefined {
  return limitByKey(ctx, reply, rule, request.ip)
}

/** {@link limitByIp} for any key. */
export function limitByKey(
  ctx: RouteContext,
  reply: FastifyReply | undefined,
  rule: RateLimitRule,
  key: string,
): Promise<void> | undefined {
  return whenConsumed(ctx.limiter.consume(rule, key), (r) => {
    reply?.header('X-RateLimit-Limit', r.limit)
    reply?.header('X-RateLimit-Remaining', r.remaining)
    if (!r.allowed) throw rateLimited(r.limit, r.retryAfterSec)
    return undefined
  })
}

/** Headers the public answers expose to the widget's scripts. */
export const CORS_EXPOSED =
  'Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, Content-Disposition, X-Error-Code'

/**
 * CORS for the public surface (`prefix`, e.g. `/api/v1/widget`), registered inside each public
 * route plugin. Preflights carry no
 * tenant, so they are answered for origins some tenant allows (or the Help Center); real requests
 * keep `Access-Control-Allow-Origin` only when the tenant's own allowlist admits the origin.
 */
export function registerPublicCors(app: FastifyInstance, ctx: RouteContext, prefix: string): void {
  // Without a route, an OPTIONS request would reach the 404 handler and skip these hooks.
  app.options(`${prefix}/*`, { schema: { hide: true } }, async (_request, reply) =>
    reply.status(204).send(),
  )
  // Callback style, answered synchronously when the origin's answer is cached (the usual case):
  // this hook runs on every public request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('Vary', 'Origin')
    const origin = requestOrigin(request.headers.origin)
    const finish = (known: boolean) => {
      if (known) {
        reply.header('Access-Control-Allow-Origin', origin)
        reply.header('Access-Control-Expose-Headers', CORS_EXPOSED)
      }
      if (request.method !== 'OPTIONS') return done()
      if (known) {
        reply.header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS')
        reply.header('Access-Control-Allow-Headers', 'Content-Type')
        reply.header('Access-Control-Max-Age', '600')
      }
      reply.status(204).send()
    }
    if (origin === undefined) return finish(false)
    // The cached answer first: the Help Center check parses the origin as a URL.
    const cached = ctx.tenantCache?.peekOriginAllowed(origin)
    if (cached === true) return finish(true)
    if (isHelpCenterOrigin(origin, ctx.config.helpCenterDomain)) return finish(true)
    if (cached === false) return finish(false)
    ;(
      ctx.tenantCache?.originAllowedByAnyTenant(origin) ??
      isOriginAllowedByAnyTenant(ctx.db, origin)
    )
      .then(finish)
      .catch(done)
  })
  app.addHook('onError', async (_request, reply, error) => {
    // A tenant that does not admit this origin must not expose its answer to it.
    if ((error as { code?: string }).code === 'origin_not_allowed')
      reply.removeHeader('Access-Control-Allow-Origin')
  })
}
