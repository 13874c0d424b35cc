import type { IncomingMessage, ServerResponse } from 'node:http'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import websocket from '@fastify/websocket'
import Fastify, { type FastifyError, type FastifyInstance, LogController } from 'fastify'
import { createAgent } from './agent/index.ts'
import type { AppDeps, RouteContext } from './app-deps.ts'
import type { Config } from './config.ts'
import { createMessagesInFlight, type MessagesInFlight } from './conversations/in-flight.ts'
import { isDatabaseUnavailable } from './db/unavailable.ts'
import { ApiError, databaseUnavailable, invalidField } from './errors.ts'
import { helpCenterRewrite } from './help-center/host-routing.ts'
import { createAppJobRunner } from './jobs/app-jobs.ts'
import { createMemoryRateLimiter } from './limits/memory-rate-limiter.ts'
import { createMailer } from './mail/create-mailer.ts'
import { instrumentAgent, instrumentLimiter } from './metrics.ts'
import { trustProxyFn } from './net/client-ip.ts'
import { createMemoryBus } from './realtime/memory-bus.ts'
import { adminConfigRoutes } from './routes/admin-config/index.ts'
import { adminConsoleRoutes } from './routes/admin-console/index.ts'
import { analyticsRoutes } from './routes/analytics/index.ts'
import { apiKeysRoutes } from './routes/api-keys/index.ts'
import { auditRoutes } from './routes/audit/index.ts'
import { createEmbedConfigFastPath } from './routes/embed/config-fast-path.ts'
import { embedRoutes } from './routes/embed/index.ts'
import { helpCenterRoutes } from './routes/help-center/index.ts'
import { internalRoutes } from './routes/internal/index.ts'
import { knowledgeRoutes } from './routes/knowledge/index.ts'
import { knowledgeSourceRoutes } from './routes/knowledge-sources/index.ts'
import { opsRoutes } from './routes/ops/index.ts'
import { privacyRoutes } from './routes/privacy/index.ts'
import { publicWidgetRoutes } from './routes/public-widget/index.ts'
import { handleSocketError } from './routes/public-widget/socket/errors.ts'
import { siteRoutes } from './routes/site/index.ts'
import { teamRoutes } from './routes/team/index.ts'
import { adminUploadRoutes } from './routes/uploads/index.ts'
import { webhookRoutes } from './routes/webhooks/index.ts'
import { widgetAssetsRoutes } from './routes/widget-assets/index.ts'
import { cachedSerializerCompiler } from './serializer-compiler.ts'
import { createTenantCache } from './tenants/tenant-cache.ts'
import {
  createValidatorCompiler,
  LONE_SURROGATE_MSG,
  loneSurrogatePath,
  toValidationIssues,
} from './validation.ts'
import { liveKitSettings } from './voice/livekit-token.ts'
import { createVoiceEviction } from './voice/voice-eviction.ts'
import { createWebhookWorker } from './webhooks/delivery-worker.ts'

export type { AppDeps, RouteContext } from './app-deps.ts'

/** Max size of one WebSocket frame from a client (larger frames close the socket with 1009). */
export const WS_MAX_PAYLOAD = 64 * 1024

/**
 * Builds the HTTP application on the given backends. Never listens: `main.ts` does, tests use
 * `app.inject()`. Backends left out get their embedded defaults (memory limiter, in-process bus,
 * the configured agent and mailer). `inflight` is given by a caller that settles the work in
 * flight before closing the database (`main.ts`).
 */
export async function buildApp(
  config: Config,
  deps: Pick<AppDeps, 'database'> & Partial<AppDeps> & { inflight?: MessagesInFlight },
): Promise<FastifyInstance> {
  const rewriteUrl = helpCenterRewrite(config)
  const app = Fastify({
    logger: { level: config.logLevel },
    trustProxy: trustProxyFn(config.trustProxy) ?? false,
    bodyLimit: 1024 * 1024,
    // Email tokens travel in query strings: request lines are logged only at debug level.
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
    routerOptions: { ignoreTrailingSlash: true },
    // `{slug}.{AURION_HELP_CENTER_DOMAIN}` hosts serve that Help Center (host-routing.ts).
    ...(rewriteUrl ? { rewriteUrl } : {}),
  })
  app.setValidatorCompiler(createValidatorCompiler())
  app.setSerializerCompiler(cachedSerializerCompiler)
  // Fastify's JSON parser (prototype poisoning refused), plus: a lone UTF-16 surrogate escape is
  // a 422, not text silently stored as U+FFFD.
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body)
    parseJson(request, text, (err, value) => {
      if (err) return done(err, undefined)
      const at = loneSurrogatePath(value, text)
      if (at)
        return done(invalidField(['body', ...at], LONE_SURROGATE_MSG, 'json_invalid'), undefined)
      done(null, value)
    })
  })

  const bus = deps.bus ?? createMemoryBus()
  const ctx: RouteContext = {
    config,
    database: deps.database,
    db: deps.database.db,
    limiter: instrumentLimiter(deps.limiter ?? createMemoryRateLimiter()),
    bus,
    mailer: deps.mailer ?? createMailer(config),
    agent: instrumentAgent(deps.agent ?? createAgent(config, deps.database.db)),
    voiceEviction: deps.voiceEviction ?? createVoiceEviction(liveKitSettings(config)),
    inflight: deps.inflight ?? createMessagesInFlight(),
    webhooks: createWebhookWorker({
      database: deps.database,
      serverSecret: config.secret,
      allowPrivate: config.webhooks.allowPrivate,
      retryBaseMs: config.webhooks.retryBaseMs,
      pollMs: config.webhooks.pollMs,
      timeoutMs: config.webhooks.timeoutMs,
      sendThread: config.webhooks.sendThread,
      log: app.log,
    }),
    // Subscribes before any route does, so entries are dropped before routes re-check.
    ...(config.tenantCacheTtlMs > 0
      ? {
          tenantCache: createTenantCache(deps.database.db, bus, { ttlMs: config.tenantCacheTtlMs }),
        }
      : {}),
  }
  const jobs = createAppJobRunner(config, deps.database, app.log)
  ctx.jobs = jobs
  app.addHook('onReady', async () => jobs.start())

  app.setErrorHandler((error: FastifyError | ApiError | Error, request, reply) => {
    if (error instanceof ApiError) {
      return reply.status(error.status).headers(error.responseHeaders()).send(error.toBody())
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable')
      const e = databaseUnavailable()
      return reply.status(e.status).headers(e.responseHeaders()).send(e.toBody())
    }
    const fe = error as FastifyError
    if (fe.validation) {
      return reply
        .status(422)
        .header('X-Error-Code', 'validation_error')
        .send({ detail: toValidationIssues(fe.validation, fe.validationContext) })
    }
    const status = fe.statusCode ?? 500
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ detail: clientErrorDetail(fe) })
    }
    request.log.error({ err: error }, 'unhandled error')
    return reply.status(500).send({ detail: 'Internal Server Error' })
  })
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ detail: 'Not Found' }))

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Aurion Widget API',
        version: '1.0.0',
        description:
          'Admin API (`X-API-Key: itsm_sk_…` or a dashboard session) and the public widget API (`tenant_id` + `public_key` + an allowed `Origin`).',
      },
      // "Try it out" in /docs calls this server as browsers reach it.
      servers: [{ url: config.publicUrl }],
      tags: [
        {
          name: 'Voice widget configuration',
          description:
            'Admin API under `/api/v1/voice-widget` (scope `config`: GET/HEAD need `config:read`, other methods `config:write`). 300 requests/minute per API key.',
        },
        { name: 'API keys', description: "Manage the tenant's admin API keys (scope `config`)." },
        {
          name: 'Team',
          description:
            'Console users of the tenant (`owner`, `admin`, `agent`), invitations and availability. Console sessions only.',
        },
        {
          name: 'Webhooks',
          description:
            'Signed event deliveries (Standard Webhooks) to your endpoints (scope `webhooks`). See docs/webhooks.md.',
        },
        {
          name: 'Analytics',
          description:
            'Resolution, hand-off, feedback and satisfaction figures and unanswered questions (scope `analytics:read`). See docs/analytics.md.',
        },
      ],
      components: {
        securitySchemes: {
          ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          Session: {
            type: 'http',
            scheme: 'bearer',
            description:
              'A dashboard session token from `POST /api/v1/auth/login`. The browser console holds the same session as an HttpOnly, SameSite=Strict cookie (`aurion_session`, `__Host-aurion_session` over https) and sends `X-CSRF-Token` on writes.',
          },
        },
      },
    },
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true },
  })
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  await app.register(websocket, {
    options: { maxPayload: WS_MAX_PAYLOAD },
    errorHandler: (error, socket, request) => handleSocketError(error, socket, request.log),
  })
  // No app-wide CORS or multipart plugin: every hook of an app-wide plugin runs on every request.
  // Cross-origin access is decided by the public routes' own hooks (`registerPublicCors`: allowed
  // origins only), and multipart is parsed only in the upload route's scope.

  await app.register(opsRoutes, ctx)
  await app.register(adminConfigRoutes, ctx)
  await app.register(apiKeysRoutes, ctx)
  await app.register(knowledgeRoutes, ctx)
  await app.register(knowledgeSourceRoutes, ctx)
  await app.register(helpCenterRoutes, ctx)
  await app.register(embedRoutes, ctx)
  await app.register(publicWidgetRoutes, ctx)
  await app.register(widgetAssetsRoutes, ctx)
  await app.register(adminConsoleRoutes, ctx)
  await app.register(internalRoutes, ctx)
  await app.register(adminUploadRoutes, ctx)
  await app.register(auditRoutes, ctx)
  await app.register(teamRoutes, ctx)
  await app.register(privacyRoutes, ctx)
  await app.register(webhookRoutes, ctx)
  await app.register(analyticsRoutes, ctx)
  await app.register(siteRoutes)

  // The hottest route answers its usual case before Fastify's pipeline (see config-fast-path.ts).
  const fast = createEmbedConfigFastPath(ctx)
  app.decorate('embedConfigFastPath', fast ?? null)
  if (fast) {
    const [route] = app.server.listeners('request') as ((
      req: IncomingMessage,
      res: ServerResponse,
    ) => void)[]
    if (route) {
      app.server.removeListener('request', route)
      app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        if (!fast.handle(req, res, route)) route(req, res)
      })
      app.addHook('preClose', async () => fast.disable())
    }
  }

  // Deliveries go out while the app listens (an app driven by inject() delivers only on demand).
  app.addHook('onListen', async () => ctx.webhooks?.start())
  app.addHook('onClose', async () => {
    await ctx.webhooks?.stop()
    await jobs.close()
    ctx.tenantCache?.close()
    ctx.voiceEviction.close()
    await ctx.bus.close()
    await ctx.limiter.close()
    await ctx.mailer.close()
  })
  return app
}

function clientErrorDetail(err: FastifyError): string {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'Malformed JSON body'
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'Request body too large'
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported Content-Type'
    default:
      return err instanceof SyntaxError ? 'Malformed JSON body' : err.message
  }
}
