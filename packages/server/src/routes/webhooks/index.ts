import {
  ErrorResponse,
  WebhookCreateRequest,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookDeliveryListQuery,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
  WebhookUpdateRequest,
} from '@aurion/contract'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { adminAuth } from '../../auth/admin-auth.ts'
import {
  ADMIN_BODY_ERROR_RESPONSES,
  ADMIN_ERROR_RESPONSES,
  ADMIN_SECURITY,
} from '../../auth/admin-route-schema.ts'
import {
  createEndpoint,
  getEndpoint,
  listEndpointDeliveries,
  listTenantEndpoints,
  patchEndpoint,
  redeliver,
  removeEndpoint,
  rotateEndpointSecret,
  testEndpoint,
  type WebhookServiceDeps,
} from '../../webhooks/endpoint-service.ts'

const TAGS = ['Webhooks']
const BASE = '/api/v1/webhooks'
const IdParams = Type.Object({
  id: Type.String({ maxLength: 100, description: 'Endpoint id (`wh_…`)' }),
})
const DeliveryParams = Type.Object({
  id: Type.String({ maxLength: 100 }),
  delivery_id: Type.String({ maxLength: 100, description: 'Delivery id (`whd_…`)' }),
})
const NOT_FOUND = { 404: { ...ErrorResponse, description: 'No such endpoint in this tenant' } }

/**
 * The tenant's webhook endpoints (`/api/v1/webhooks`, scope `webhooks`: GET needs
 * `webhooks:read`, every other method `webhooks:write`; a console session holds both). Routes
 * are thin: the rules are in `webhooks/endpoint-service.ts`.
 */
export async function webhookRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  const auth = adminAuth(ctx, 'webhooks')
  const worker = ctx.webhooks
  if (!worker) throw new Error('webhookRoutes needs the webhook worker (buildApp makes it)')
  const deps: WebhookServiceDeps = {
    db: ctx.db,
    serverSecret: ctx.config.secret,
    allowPrivate: ctx.config.webhooks.allowPrivate,
    worker,
  }
  const tenantOf = (request: { admin?: { tenantId: string } | undefined }) =>
    request.admin!.tenantId

  r.post(
    BASE,
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Add a webhook endpoint',
        description:
          'Events listed in `events` (see the catalogue) are POSTed to `url`, signed per Standard Webhooks. The signing `secret` (`whsec_…`) is in this answer only. `url` must be https and public unless AURION_WEBHOOK_ALLOW_PRIVATE is set. `format: "slack"` sends `{"text": …}` for a team chat. Needs `webhooks:write`.',
        security: ADMIN_SECURITY,
        body: WebhookCreateRequest,
        response: {
          201: WebhookEndpointWithSecret,
          ...ADMIN_BODY_ERROR_RESPONSES,
          409: { ...ErrorResponse, description: 'Too many endpoints' },
        },
      },
    },
    async (request, reply) => {
      const { endpoint, secret } = await createEndpoint(deps, tenantOf(request), request.body)
      request.log.info({ endpointId: endpoint.id, by: request.admin?.id }, 'webhook endpoint added')
      return reply.status(201).send({ ...endpoint, secret })
    },
  )

  r.get(
    BASE,
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'List webhook endpoints',
        description: 'Oldest first; never the secrets. Needs `webhooks:read`.',
        security: ADMIN_SECURITY,
        response: { 200: WebhookEndpointList, ...ADMIN_ERROR_RESPONSES },
      },
    },
    async (request) => ({ webhooks: await listTenantEndpoints(ctx.db, tenantOf(request)) }),
  )

  r.get(
    `${BASE}/:id`,
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Get a webhook endpoint',
        description: 'Never the secret. Needs `webhooks:read`.',
        security: ADMIN_SECURITY,
        params: IdParams,
        response: { 200: WebhookEndpoint, ...ADMIN_ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request) => getEndpoint(ctx.db, tenantOf(request), request.params.id),
  )

  r.patch(
    `${BASE}/:id`,
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Change a webhook endpoint',
        description:
          'Any of `url`, `events`, `description`, `enabled`, `format`. Enabling an endpoint the server switched off (`disabled_reason`) clears the reason; its pending deliveries resume. Needs `webhooks:write`.',
        security: ADMIN_SECURITY,
        params: IdParams,
        body: WebhookUpdateRequest,
        response: { 200: WebhookEndpoint, ...ADMIN_BODY_ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request) => patchEndpoint(deps, tenantOf(request), request.params.id, request.body),
  )

  r.delete(
    `${BASE}/:id`,
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Delete a webhook endpoint',
        description: 'With its delivery log; nothing more is sent to it. Needs `webhooks:write`.',
        security: ADMIN_SECURITY,
        params: IdParams,
        response: { 204: Type.Null(), ...ADMIN_ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      await removeEndpoint(ctx.db, tenantOf(request), request.params.id)
      return reply.status(204).send(null)
    },
  )

  r.post(
    `${BASE}/:id/rotate-secret`,
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Rotate the signing secret',
        description:
          'A new `secret` (in this answer only); the old one stops signing at once. Needs `webhooks:write`.',
        security: ADMIN_SECURITY,
        params: IdParams,
        response: { 200: WebhookEndpointWithSecret, ...ADMIN_ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request) => {
      const { endpoint, secret } = await rotateEndpointSecret(
        deps,
        tenantOf(request),
        request.params.id,
      )
      return { ...endpoint, secret }
    },
  )

  r.post(
    `${BASE}/:id/test`,
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Send a test event',
        description:
          'Sends a `ping` event now (enabled or not) and answers with its delivery as recorded: status code, duration, error. Needs `webhooks:write`.',
        security: ADMIN_SECURITY,
        params: IdParams,
        response: { 200: WebhookDelivery, ...ADMIN_ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request) => testEndpoint(deps, tenantOf(request), request.params.id),
  )

  r.get(
    `${BASE}/:id/deliveries`,
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Delivery log',
        description:
          'Newest first: each delivery (one event to this endpoint) with its latest status code, duration, error and next retry, and every attempt. Kept 30 days. Needs `webhooks:read`.',
        security: ADMIN_SECURITY,
        params: IdParams,
        querystring: WebhookDeliveryListQuery,
        response: { 200: WebhookDeliveryList, ...ADMIN_ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request) => ({
      deliveries: await listEndpointDeliveries(
        deps,
        tenantOf(request),
        request.params.id,
        request.query,
      ),
    }),
  )

  r.post(
    `${BASE}/:id/deliveries/:delivery_id/retry`,
    {
      onRequest: auth,
      schema: {
        tags: TAGS,
        summary: 'Redeliver',
        description:
          'Sends the event again now, with the same `webhook-id`, and answers with the delivery as recorded. Needs `webhooks:write`.',
        security: ADMIN_SECURITY,
        params: DeliveryParams,
        response: {
          200: WebhookDelivery,
          ...ADMIN_ERROR_RESPONSES,
          404: { ...ErrorResponse, description: 'No such endpoint or delivery in this tenant' },
        },
      },
    },
    async (request) =>
      redeliver(deps, tenantOf(request), request.params.id, request.params.delivery_id),
  )
}
