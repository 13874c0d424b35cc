import {
  applyWidgetConfigUpdate,
  resolveWidgetConfig,
  type WidgetConfig,
  type WidgetConfigUpdate,
} from '@aurion/contract'
import type { Db } from '../db/schema.ts'
import { conflict, notFound } from '../errors.ts'
import type { BusEvent, RealtimeBus } from '../realtime/bus.ts'
import type { VoiceEviction } from '../voice/voice-eviction.ts'
import { emitWebhookEvent } from '../webhooks/events.ts'
import type { TenantCache } from './tenant-cache.ts'
import {
  findTenantById,
  rotateIdentitySecret,
  rotatePublicWidgetKey,
  type TenantRow,
  updateTenantConfig,
} from './tenant-repo.ts'

/** What changing a tenant involves: its row, the other instances, and this instance's cache. */
export interface TenantServiceDeps {
  db: Db
  bus: RealtimeBus
  /** Dropped at once after each change (the bus reaches other instances later). */
  tenantCache?: TenantCache | undefined
  /** Ends the live widget voice calls when the key changes or voice is switched off. */
  voiceEviction?: VoiceEviction | undefined
}

/** Where a bus failure (error) or a LiveKit failure (warn, info on success) is reported. */
export interface TenantChangeLog {
  error(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  info(obj: object, msg: string): void
}

/** Compare-and-set attempts of one config update before giving up with 409 (heavy contention). */
const MAX_UPDATE_ATTEMPTS = 5

/** The stored config of a tenant with every default applied. */
export function tenantWidgetConfig(tenant: Pick<TenantRow, 'config'>): WidgetConfig {
  return resolveWidgetConfig(JSON.parse(tenant.config))
}

/** The tenant; 404 when it is gone (a key whose tenant vanished meanwhile). */
export async function requireTenant(db: Db, tenantId: string): Promise<TenantRow> {
  const tenant = await findTenantById(db, tenantId)
  if (!tenant) throw notFound('Tenant not found')
  return tenant
}

/** Whether visitors may be in voice calls under this config. */
function voiceOpen(config: WidgetConfig): boolean {
  return config.enabled && config.mode !== 'chat'
}

/**
 * Applies a validated update to the tenant's widget config (compare-and-set, retried; 409 when
 * others keep changing it), tells every instance, closes the widget's sockets when it was just
 * disabled, and removes visitors from voice calls when voice was just switched off (widget
 * disabled or `mode: chat`). Returns the tenant as stored.
 */
export async function updateWidgetConfig(
  deps: TenantServiceDeps,
  tenantId: string,
  update: WidgetConfigUpdate,
  log: TenantChangeLog,
): Promise<TenantRow> {
  return (await updateWidgetConfigTracked(deps, tenantId, update, log)).tenant
}

/** {@link updateWidgetConfig}, also naming the fields whose value changed (for the audit log). */
export async function updateWidgetConfigTracked(
  deps: TenantServiceDeps,
  tenantId: string,
  update: WidgetConfigUpdate,
  log: TenantChangeLog,
): Promise<{ tenant: TenantRow; changed: string[] }> {
  for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
    const tenant = await requireTenant(deps.db, tenantId)
    const current = tenantWidgetConfig(tenant)
    const next = applyWidgetConfigUpdate(current, update)
    const stored = await updateTenantConfig(
      deps.db,
      tenantId,
      { ...next },
      {
        expected: tenant.config,
        alsoInTransaction: async (trx) => {
          const changed = changedFields(current, next)
          if (changed.length > 0)
            await emitWebhookEvent(trx, tenantId, 'widget.config.updated', {
              changed,
              config: next,
            })
        },
      },
    )
    if (!stored) continue
    deps.tenantCache?.invalidate(tenantId)
    await publish(deps, log, { type: 'tenant.config_changed', tenantId })
    if (current.enabled && !next.enabled) {
      await publish(deps, log, {
        type: 'tenant.sockets_revoked',
        tenantId,
        reason: 'widget_disabled',
      })
    }
    if (voiceOpen(current) && !voiceOpen(next)) {
      await deps.voiceEviction?.evictTenant(deps.db, tenantId, log)
    }
    return { tenant: await requireTenant(deps.db, tenantId), changed: changedFields(current, next) }
  }
  throw conflict('The configuration is being changed concurrently; retry the request')
}

/** Names of the config fields whose values differ (compared as JSON). */
export function changedFields(before: WidgetConfig, after: WidgetConfig): string[] {
  const a = before as unknown as Record<string, unknown>
  const b = after as unknown as Record<string, unknown>
  return Object.keys(b).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
}

/**
 * Issues a new public widget key: the old one stops matching at once, here and on every
 * instance, the sockets opened with it are closed, and visitors in voice calls are removed from
 * their rooms (a LiveKit outage is logged and retried; the new key stands either way). Returns
 * the new key.
 */
export async function regeneratePublicWidgetKey(
  deps: TenantServiceDeps,
  tenantId: string,
  log: TenantChangeLog,
): Promise<string> {
  const key = await rotatePublicWidgetKey(deps.db, tenantId, async (trx, newKey) => {
    await emitWebhookEvent(trx, tenantId, 'widget.key.regenerated', {
      public_widget_key: newKey,
    })
  })
  deps.tenantCache?.invalidate(tenantId)
  if (key === undefined) throw notFound('Tenant not found')
  await publish(deps, log, { type: 'tenant.config_changed', tenantId })
  await publish(deps, log, {
    type: 'tenant.sockets_revoked',
    tenantId,
    reason: 'key_regenerated',
  })
  await deps.voiceEviction?.evictTenant(deps.db, tenantId, log)
  return key
}

/** Issues a new identity-verification secret; hashes made with the old one fail at once. */
export async function renewIdentitySecret(
  deps: TenantServiceDeps,
  tenantId: string,
  log: TenantChangeLog,
): Promise<string> {
  const secret = await rotateIdentitySecret(deps.db, tenantId)
  deps.tenantCache?.invalidate(tenantId)
  if (secret === undefined) throw notFound('Tenant not found')
  await publish(deps, log, { type: 'tenant.config_changed', tenantId })
  return secret
}

/**
 * The change is already stored when we publish: a bus failure (Redis down) must not turn a
 * durable change into an error answer. Other instances catch up when their caches expire.
 */
async function publish(deps: TenantServiceDeps, log: TenantChangeLog, event: BusEvent) {
  try {
    await deps.bus.publish(event)
  } catch (err) {
    log.error({ err, event: event.type }, 'could not publish a realtime event')
  }
}
