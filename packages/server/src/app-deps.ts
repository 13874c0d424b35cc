import type { Agent } from './agent/agent.ts'
import type { Config } from './config.ts'
import type { DbHandle } from './db/connect.ts'
import type { Db } from './db/schema.ts'
import type { RateLimiter } from './limits/rate-limiter.ts'
import type { RealtimeBus } from './realtime/bus.ts'
import type { TenantCache } from './tenants/tenant-cache.ts'

/** The backends `buildApp` runs on; each has an embedded default and a scale-out implementation. */
export interface AppDeps {
  database: DbHandle
  limiter: RateLimiter
  bus: RealtimeBus
  agent: Agent
}

/** What every route plugin receives as its options. */
export interface RouteContext extends AppDeps {
  config: Config
  db: Db
  /**
   * Tenant rows and origin answers for the public surface, invalidated through `bus`.
   * Absent (hand-made contexts in tests) → direct database reads.
   */
  tenantCache?: TenantCache
}
