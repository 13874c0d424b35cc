import type { Db } from '../db/schema.ts'
import { Lru } from '../lru.ts'
import type { RealtimeBus } from '../realtime/bus.ts'
import { findTenantById, isOriginAllowedByAnyTenant, type TenantRow } from './tenant-repo.ts'

/**
 * Read-through cache of what every public widget request looks up: the tenant row (key, config,
 * identity secret) and whether any tenant allows an origin (CORS preflights). Entries are dropped
 * at once by the tenant service after each change it makes, and on every instance by the bus
 * events that follow (`tenant.config_changed`, `tenant.sockets_revoked`). The TTL only bounds staleness for changes made behind the server's
 * back (SQL by hand, the CLI in another process).
 */
export interface TenantCache {
  /** The tenant, or `undefined` when there is none (misses are not cached). */
  get(id: string): Promise<TenantRow | undefined>
  /** The cached tenant, if fresh; never queries (misses are `undefined`, as unknown tenants). */
  peek(id: string): TenantRow | undefined
  /** Does any tenant list this normalized origin in `allowed_origins`? */
  originAllowedByAnyTenant(origin: string): Promise<boolean>
  /** The cached answer of {@link originAllowedByAnyTenant}, if fresh; never queries. */
  peekOriginAllowed(origin: string): boolean | undefined
  /** Drops the tenant and every origin answer (any tenant's change may alter those). */
  invalidate(tenantId: string): void
  /** Stops listening to the bus and empties the cache. */
  close(): void
}

export interface TenantCacheOptions {
  /** Default 10 s. */
  ttlMs?: number
  /** Per map (tenants, origins); least recently used entries go first. Default 10 000. */
  maxEntries?: number
  /** Clock, for tests. */
  now?: () => number
}

interface Entry<T> {
  value: T
  at: number
}

/** A cache on `db` invalidated by `bus`; create it before any route subscribes to the bus. */
export function createTenantCache(
  db: Db,
  bus: RealtimeBus,
  opts: TenantCacheOptions = {},
): TenantCache {
  const ttlMs = opts.ttlMs ?? 10_000
  const maxEntries = opts.maxEntries ?? 10_000
  const now = opts.now ?? Date.now
  const tenants = new Lru<string, Entry<TenantRow>>(maxEntries)
  const origins = new Lru<string, Entry<boolean>>(maxEntries)
  // Bumped by every invalidation: a load that started before one must not store what it read.
  let epoch = 0

  const fresh = <T>(lru: Lru<string, Entry<T>>, key: string): Entry<T> | undefined => {
    const e = lru.get(key)
    if (e === undefined) return undefined
    if (now() - e.at >= ttlMs) {
      lru.delete(key)
      return undefined
    }
    return e
  }
  const store = <T>(lru: Lru<string, Entry<T>>, key: string, value: T) => {
    lru.set(key, { value, at: now() })
  }

  const invalidate = (tenantId: string) => {
    epoch++
    tenants.delete(tenantId)
    origins.clear()
  }

  const unsubscribe = bus.subscribe((event) => {
    if (event.type === 'tenant.config_changed' || event.type === 'tenant.sockets_revoked') {
      invalidate(event.tenantId)
    }
  })

  return {
    async get(id) {
      // Let a bus delivery in progress finish first: a subscriber re-checking sockets on
      // `tenant.config_changed` may call us before our own handler has dropped the entry.
      await null
      const hit = fresh(tenants, id)
      if (hit) return hit.value
      const started = epoch
      const row = await findTenantById(db, id)
      if (row !== undefined && started === epoch) store(tenants, id, row)
      return row
    },
    async originAllowedByAnyTenant(origin) {
      await null
      const hit = fresh(origins, origin)
      if (hit) return hit.value
      const started = epoch
      const allowed = await isOriginAllowedByAnyTenant(db, origin)
      if (started === epoch) store(origins, origin, allowed)
      return allowed
    },
    peek(id) {
      return fresh(tenants, id)?.value
    },
    peekOriginAllowed(origin) {
      return fresh(origins, origin)?.value
    },
    invalidate,
    close() {
      unsubscribe()
      tenants.clear()
      origins.clear()
    },
  }
}
