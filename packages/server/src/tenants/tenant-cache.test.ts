import { afterEach, beforeEach, expect, it } from 'vitest'
import { createTestDatabase, forEachDialect } from '../../test/helpers.ts'
import type { DbHandle } from '../db/connect.ts'
import type { Db } from '../db/schema.ts'
import type { RealtimeBus } from '../realtime/bus.ts'
import { createMemoryBus } from '../realtime/memory-bus.ts'
import { createTenantCache, type TenantCache } from './tenant-cache.ts'
import { createTenant, rotatePublicWidgetKey, type TenantRow } from './tenant-repo.ts'
import {
  regeneratePublicWidgetKey,
  renewIdentitySecret,
  updateWidgetConfig,
} from './tenant-service.ts'

/** A change made behind the cache's back: no bus event. */
const setKeySilently = (db: Db, id: string, key: string) =>
  db.updateTable('tenants').set({ public_widget_key: key }).where('id', '=', id).execute()

const removeOriginsSilently = (db: Db, id: string) =>
  db.deleteFrom('tenant_origins').where('tenant_id', '=', id).execute()

forEachDialect('tenant cache', (dialect) => {
  let database: DbHandle
  let db: Db
  let bus: RealtimeBus
  let cache: TenantCache
  let clock: number
  let tenant: TenantRow

  beforeEach(async () => {
    database = await createTestDatabase(dialect)
    db = database.db
    bus = createMemoryBus()
    clock = 1_000_000
    cache = createTenantCache(db, bus, { ttlMs: 10_000, now: () => clock })
    tenant = await createTenant(db, {
      name: 'Acme',
      config: { enabled: true, allowed_origins: ['https://shop.example'] },
    })
  })
  afterEach(async () => {
    cache.close()
    await database.close()
  })

  it('serves repeated lookups from memory until an event drops the entry', async () => {
    expect((await cache.get(tenant.id))?.public_widget_key).toBe(tenant.public_widget_key)
    await setKeySilently(db, tenant.id, 'vwk_changedbehindtheback000')
    // Cached: the silent change is not seen…
    expect((await cache.get(tenant.id))?.public_widget_key).toBe(tenant.public_widget_key)
    // …until the event every admin change publishes.
    await bus.publish({ type: 'tenant.config_changed', tenantId: tenant.id })
    expect((await cache.get(tenant.id))?.public_widget_key).toBe('vwk_changedbehindtheback000')
  })

  it('drops the tenant on tenant.sockets_revoked too, and only that tenant', async () => {
    const other = await createTenant(db, { name: 'Other', config: { enabled: true } })
    await cache.get(tenant.id)
    await cache.get(other.id)
    await setKeySilently(db, tenant.id, 'vwk_new_key_after_revoke_00')
    await setKeySilently(db, other.id, 'vwk_other_changed_silently0')
    await bus.publish({ type: 'tenant.sockets_revoked', tenantId: tenant.id, reason: 'x' })
    expect((await cache.get(tenant.id))?.public_widget_key).toBe('vwk_new_key_after_revoke_00')
    expect((await cache.get(other.id))?.public_widget_key).toBe(other.public_widget_key)
  })

  it('drops the entry at once when the tenant service changes the tenant, before any event', async () => {
    await cache.get(tenant.id)
    expect(await cache.originAllowedByAnyTenant('https://shop.example')).toBe(true)
    // A bus that delivers nothing (a Redis bus between two instances is not instant either).
    const silentBus: RealtimeBus = {
      publish: async () => {},
      subscribe: (handler) => bus.subscribe(handler),
      close: async () => {},
    }
    const deps = { db, bus: silentBus, tenantCache: cache }
    const log = { error: () => {}, warn: () => {}, info: () => {} }
    const key = await regeneratePublicWidgetKey(deps, tenant.id, log)
    expect((await cache.get(tenant.id))?.public_widget_key).toBe(key)
    const secret = await renewIdentitySecret(deps, tenant.id, log)
    expect((await cache.get(tenant.id))?.identity_secret).toBe(secret)
    await updateWidgetConfig(
      deps,
      tenant.id,
      { enabled: false, display_title: 'Help', launcher_label: 'Chat', allowed_origins: [] },
      log,
    )
    expect(JSON.parse((await cache.get(tenant.id))!.config)).toMatchObject({
      enabled: false,
      allowed_origins: [],
    })
    expect(await cache.originAllowedByAnyTenant('https://shop.example')).toBe(false)
  })

  it('keeps what it read when the tenant is changed behind its back, until an event or the TTL', async () => {
    await cache.get(tenant.id)
    // The repository alone (SQL, no service): nothing tells the cache.
    await rotatePublicWidgetKey(db, tenant.id)
    expect((await cache.get(tenant.id))?.public_widget_key).toBe(tenant.public_widget_key)
  })

  it('re-reads after the TTL even without an event', async () => {
    await cache.get(tenant.id)
    await setKeySilently(db, tenant.id, 'vwk_changed_by_the_cli_0000')
    clock += 9_999
    expect((await cache.get(tenant.id))?.public_widget_key).toBe(tenant.public_widget_key)
    clock += 1
    expect((await cache.get(tenant.id))?.public_widget_key).toBe('vwk_changed_by_the_cli_0000')
  })

  it('does not cache misses: a tenant created later is found at once', async () => {
    const id = '0a0a0a0a-1111-4222-8333-444444444444'
    expect(await cache.get(id)).toBeUndefined()
    await db
      .insertInto('tenants')
      .values({ ...tenant, id, public_widget_key: 'vwk_brand_new_tenant_000000' })
      .execute()
    expect((await cache.get(id))?.public_widget_key).toBe('vwk_brand_new_tenant_000000')
  })

  it('does not store a row read before an invalidation that happened during the read', async () => {
    // A database whose answers wait at a gate: the read has happened, its result is in flight.
    let reached!: () => void
    const atGate = new Promise<void>((r) => {
      reached = r
    })
    let open!: () => void
    const gate = new Promise<void>((r) => {
      open = r
    })
    const slowDb = db.withPlugin({
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        reached()
        await gate
        return args.result
      },
    })
    const slow = createTenantCache(slowDb, bus)
    try {
      const inFlight = slow.get(tenant.id)
      await atGate
      await bus.publish({ type: 'tenant.config_changed', tenantId: tenant.id })
      open()
      expect((await inFlight)?.public_widget_key).toBe(tenant.public_widget_key)
      // What was read before the event was not kept: the next read goes to the database.
      await setKeySilently(db, tenant.id, 'vwk_written_after_the_event')
      expect((await slow.get(tenant.id))?.public_widget_key).toBe('vwk_written_after_the_event')
    } finally {
      slow.close()
    }
  })

  it('lets a subscriber that re-checks on the event see the new data, whatever its order', async () => {
    // Subscribed before the cache (the opposite of app order): must still read fresh data.
    const bus2 = createMemoryBus()
    const seen: (string | undefined)[] = []
    const done: Promise<void>[] = []
    bus2.subscribe((e) => {
      done.push(cache2.get(e.tenantId).then((t) => void seen.push(t?.public_widget_key)))
    })
    const cache2 = createTenantCache(db, bus2)
    try {
      await cache2.get(tenant.id)
      await setKeySilently(db, tenant.id, 'vwk_seen_by_the_recheck_000')
      await bus2.publish({ type: 'tenant.config_changed', tenantId: tenant.id })
      await Promise.all(done)
      expect(seen).toEqual(['vwk_seen_by_the_recheck_000'])
    } finally {
      cache2.close()
    }
  })

  it('caches origin answers and clears them on any tenant change', async () => {
    expect(await cache.originAllowedByAnyTenant('https://shop.example')).toBe(true)
    expect(await cache.originAllowedByAnyTenant('https://evil.example')).toBe(false)
    await removeOriginsSilently(db, tenant.id)
    expect(await cache.originAllowedByAnyTenant('https://shop.example')).toBe(true)
    await bus.publish({ type: 'tenant.config_changed', tenantId: 'some-other-tenant' })
    expect(await cache.originAllowedByAnyTenant('https://shop.example')).toBe(false)
  })

  it('is bounded: the least recently used entry goes first', async () => {
    const small = createTenantCache(db, bus, { maxEntries: 2, now: () => clock })
    try {
      const b = await createTenant(db, { name: 'B' })
      const c = await createTenant(db, { name: 'C' })
      await small.get(tenant.id)
      await small.get(b.id)
      await small.get(tenant.id) // most recent now
      await small.get(c.id) // evicts b
      await setKeySilently(db, tenant.id, 'vwk_tenant_a_changed_000000')
      await setKeySilently(db, b.id, 'vwk_tenant_b_changed_000000')
      expect((await small.get(tenant.id))?.public_widget_key).toBe(tenant.public_widget_key)
      expect((await small.get(b.id))?.public_widget_key).toBe('vwk_tenant_b_changed_000000')
    } finally {
      small.close()
    }
  })

  it('stops following the bus once closed', async () => {
    cache.close()
    await cache.get(tenant.id)
    await setKeySilently(db, tenant.id, 'vwk_after_close_0000000000')
    await bus.publish({ type: 'tenant.config_changed', tenantId: tenant.id })
    // No longer subscribed: the event did not reach it.
    expect((await cache.get(tenant.id))?.public_widget_key).toBe(tenant.public_widget_key)
  })
})
