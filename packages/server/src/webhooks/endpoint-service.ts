import {
  isWebhookEventType,
  type WebhookAttempt,
  type WebhookCreateRequest,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookUpdateRequest,
} from '@aurion/contract'
import type { Db } from '../db/schema.ts'
import { conflict, notFound, type ValidationIssue, validationError } from '../errors.ts'
import { newId, nowIso } from '../ids.ts'
import { outboundUrlProblem } from '../net/safe-fetch.ts'
import {
  type AttemptRow,
  type DeliveryRow,
  findDelivery,
  listAttempts,
  listDeliveries,
} from './delivery-repo.ts'
import type { WebhookWorker } from './delivery-worker.ts'
import {
  countEndpoints,
  deleteEndpoint,
  type EndpointRow,
  eventsOf,
  findEndpoint,
  insertEndpoint,
  listEndpoints,
  updateEndpoint,
} from './endpoint-repo.ts'
import { emitPing } from './events.ts'
import { newWebhookSecret, sealSecret } from './secret-box.ts'

/** Endpoints per tenant: each event fans out to every one of them. */
export const MAX_ENDPOINTS_PER_TENANT = 50

export interface WebhookServiceDeps {
  db: Db
  /** AURION_SECRET (seals signing secrets) and AURION_WEBHOOK_ALLOW_PRIVATE. */
  serverSecret: string
  allowPrivate: boolean
  worker: WebhookWorker
}

const missing = () => notFound('Webhook endpoint not found')

/** 422s for a URL outside the outbound rule and event names not in the catalogue. */
function checkFields(input: WebhookUpdateRequest, allowPrivate: boolean): void {
  const issues: ValidationIssue[] = []
  if (input.url !== undefined) {
    const problem = outboundUrlProblem(input.url.trim(), allowPrivate)
    if (problem) issues.push({ type: 'url_parsing', loc: ['body', 'url'], msg: `url ${problem}` })
  }
  input.events?.forEach((e, i) => {
    if (!isWebhookEventType(e))
      issues.push({
        type: 'enum',
        loc: ['body', 'events', i],
        msg: `Unknown event "${e}"; see the event catalogue in docs/webhooks.md`,
      })
  })
  if (issues.length > 0) throw validationError(issues)
}

/** Creates an endpoint; the plaintext secret is returned this once. */
export async function createEndpoint(
  deps: WebhookServiceDeps,
  tenantId: string,
  input: WebhookCreateRequest,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  checkFields(input, deps.allowPrivate)
  if ((await countEndpoints(deps.db, tenantId)) >= MAX_ENDPOINTS_PER_TENANT)
    throw conflict(`A tenant can have at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints`)
  const secret = newWebhookSecret()
  const now = nowIso()
  const row: EndpointRow = {
    id: newId('wh'),
    tenant_id: tenantId,
    url: input.url.trim(),
    events: JSON.stringify([...new Set(input.events)]),
    description: input.description?.trim() || null,
    enabled: input.enabled === false ? 0 : 1,
    format: input.format ?? 'standard',
    secret_enc: sealSecret(deps.serverSecret, secret),
    disabled_reason: null,
    failing_since: null,
    created_at: now,
    updated_at: now,
  }
  await insertEndpoint(deps.db, row)
  return { endpoint: toEndpoint(row), secret }
}

export async function listTenantEndpoints(db: Db, tenantId: string): Promise<WebhookEndpoint[]> {
  return (await listEndpoints(db, tenantId)).map(toEndpoint)
}

export async function getEndpoint(db: Db, tenantId: string, id: string): Promise<WebhookEndpoint> {
  const row = await findEndpoint(db, tenantId, id)
  if (!row) throw missing()
  return toEndpoint(row)
}

/** Changes the given fields; enabling an endpoint clears why it was switched off. */
export async function patchEndpoint(
  deps: WebhookServiceDeps,
  tenantId: string,
  id: string,
  input: WebhookUpdateRequest,
): Promise<WebhookEndpoint> {
  checkFields(input, deps.allowPrivate)
  const row = await findEndpoint(deps.db, tenantId, id)
  if (!row) throw missing()
  const patch: Partial<EndpointRow> = { updated_at: nowIso() }
  if (input.url !== undefined) patch.url = input.url.trim()
  if (input.events !== undefined) patch.events = JSON.stringify([...new Set(input.events)])
  if (input.description !== undefined) patch.description = input.description?.trim() || null
  if (input.format !== undefined) patch.format = input.format
  if (input.enabled !== undefined) {
    patch.enabled = input.enabled ? 1 : 0
    if (input.enabled) {
      patch.disabled_reason = null
      patch.failing_since = null
    }
  }
  await updateEndpoint(deps.db, tenantId, id, patch)
  return toEndpoint({ ...row, ...patch })
}

export async function removeEndpoint(db: Db, tenantId: string, id: string): Promise<void> {
  if (!(await deleteEndpoint(db, tenantId, id))) throw missing()
}

/** A new signing secret; the old one stops at once. */
export async function rotateEndpointSecret(
  deps: WebhookServiceDeps,
  tenantId: string,
  id: string,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const row = await findEndpoint(deps.db, tenantId, id)
  if (!row) throw missing()
  const secret = newWebhookSecret()
  const patch = { secret_enc: sealSecret(deps.serverSecret, secret), updated_at: nowIso() }
  await updateEndpoint(deps.db, tenantId, id, patch)
  return { endpoint: toEndpoint({ ...row, ...patch }), secret }
}

/** Sends `ping` to the endpoint now (enabled or not) and returns its delivery as recorded. */
export async function testEndpoint(
  deps: WebhookServiceDeps,
  tenantId: string,
  id: string,
): Promise<WebhookDelivery> {
  if (!(await findEndpoint(deps.db, tenantId, id))) throw missing()
  const deliveryId = await deps.db.transaction().execute((trx) => emitPing(trx, tenantId, id))
  await deps.worker.deliverNow(tenantId, deliveryId)
  return deliveryView(deps.db, tenantId, id, deliveryId)
}

/** Delivers the event again now (same `webhook-id`) and returns the delivery as recorded. */
export async function redeliver(
  deps: WebhookServiceDeps,
  tenantId: string,
  endpointId: string,
  deliveryId: string,
): Promise<WebhookDelivery> {
  if (!(await findDelivery(deps.db, tenantId, endpointId, deliveryId)))
    throw notFound('Delivery not found')
  await deps.worker.deliverNow(tenantId, deliveryId)
  return deliveryView(deps.db, tenantId, endpointId, deliveryId)
}

export async function listEndpointDeliveries(
  deps: WebhookServiceDeps,
  tenantId: string,
  endpointId: string,
  query: { limit?: number | undefined; status?: string | undefined },
): Promise<WebhookDelivery[]> {
  const { db } = deps
  if (!(await findEndpoint(db, tenantId, endpointId))) throw missing()
  // Events committed a moment ago are in the log even before the worker came round.
  await deps.worker.fanOutTenant(tenantId)
  const rows = await listDeliveries(db, tenantId, endpointId, {
    limit: query.limit ?? 50,
    status: query.status,
  })
  const attempts = await listAttempts(
    db,
    rows.map((r) => r.id),
  )
  return rows.map((r) =>
    toDelivery(
      r,
      attempts.filter((a) => a.delivery_id === r.id),
    ),
  )
}

async function deliveryView(
  db: Db,
  tenantId: string,
  endpointId: string,
  deliveryId: string,
): Promise<WebhookDelivery> {
  const row = await findDelivery(db, tenantId, endpointId, deliveryId)
  if (!row) throw notFound('Delivery not found')
  return toDelivery(row, await listAttempts(db, [row.id]))
}

export function toEndpoint(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    events: eventsOf(row),
    description: row.description,
    enabled: Number(row.enabled) === 1,
    created_at: row.created_at,
    updated_at: row.updated_at,
    format: row.format === 'slack' ? 'slack' : 'standard',
    disabled_reason:
      row.disabled_reason === 'gone' || row.disabled_reason === 'failing'
        ? row.disabled_reason
        : null,
  }
}

function toDelivery(row: DeliveryRow, attempts: AttemptRow[]): WebhookDelivery {
  const status = row.status === 'succeeded' || row.status === 'failed' ? row.status : 'pending'
  return {
    id: row.id,
    event_id: row.event_id,
    event: row.type,
    status,
    status_code: row.last_status_code === null ? null : Number(row.last_status_code),
    duration_ms: row.last_duration_ms === null ? null : Number(row.last_duration_ms),
    error: row.last_error,
    next_retry_at: status === 'pending' ? row.next_attempt_at : null,
    attempt_count: Number(row.attempt_count),
    created_at: row.created_at,
    updated_at: row.updated_at,
    attempts: attempts.map(
      (a): WebhookAttempt => ({
        attempt: Number(a.attempt),
        attempted_at: a.created_at,
        status_code: a.status_code === null ? null : Number(a.status_code),
        duration_ms: Number(a.duration_ms),
        error: a.error,
        next_retry_at: a.next_retry_at,
      }),
    ),
  }
}
