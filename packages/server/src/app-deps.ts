import type { Agent } from './agent/agent.ts'
import type { Config } from './config.ts'
import type { MessagesInFlight } from './conversations/in-flight.ts'
import type { DbHandle } from './db/connect.ts'
import type { Db } from './db/schema.ts'
import type { JobRunner } from './jobs/job-runner.ts'
import type { RateLimiter } from './limits/rate-limiter.ts'
import type { Mailer } from './mail/mailer.ts'
import type { RealtimeBus } from './realtime/bus.ts'
import type { TenantCache } from './tenants/tenant-cache.ts'
import type { VoiceEviction } from './voice/voice-eviction.ts'
import type { WebhookWorker } from './webhooks/delivery-worker.ts'

/** The backends `buildApp` runs on; each has an embedded default and a scale-out implementation. */
export interface AppDeps {
  database: DbHandle
  limiter: RateLimiter
  bus: RealtimeBus
  agent: Agent
  /** Outgoing mail: none, or SMTP (see `mail/create-mailer.ts`). */
  mailer: Mailer
  /** Ends live widget voice calls through LiveKit's RoomService (a no-op without LiveKit). */
  voiceEviction: VoiceEviction
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
  /** Visitor messages being stored and agent replies being produced (a graceful stop waits). */
  inflight: MessagesInFlight
  /**
   * Delivers the webhook outbox. Runs while the app listens (every instance on PostgreSQL);
   * the test button and redeliveries use it at any time. Always set by `buildApp`.
   */
  webhooks?: WebhookWorker
  /** This instance's runner of background jobs (crawls); absent in hand-made contexts. */
  jobs?: JobRunner
}
