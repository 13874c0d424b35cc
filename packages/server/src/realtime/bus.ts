/** Events carried between instances. Every event names its tenant. */
export type BusEvent =
  | { type: 'tenant.config_changed'; tenantId: string }
  /** Key regenerated or widget disabled: close the tenant's public sockets with 1008. */
  | { type: 'tenant.sockets_revoked'; tenantId: string; reason: string }
  /** A frame for every socket following this thread (typing, ack, chunk, done, message…). */
  | {
      type: 'thread.frame'
      tenantId: string
      threadId: string
      frame: Record<string, unknown>
      origin?: string
    }
  /** An event of the console's live inbox channel (see `handoff/inbox-events.ts`). */
  | { type: 'inbox.event'; tenantId: string; event: Record<string, unknown> }
  /** A widget socket showed this person's message to its visitor (the reply mail waits for it). */
  | { type: 'thread.delivered'; tenantId: string; messageId: string }

export type BusHandler = (event: BusEvent) => void

/**
 * Realtime bus: in-process by default, Redis pub/sub when `REDIS_URL` is set. `publish` reaches
 * every subscriber on every instance, including the publishing one.
 */
export interface RealtimeBus {
  publish(event: BusEvent): Promise<void>
  /** Returns an unsubscribe function. */
  subscribe(handler: BusHandler): () => void
  /** Readiness probe of a networked bus; rejects when events cannot flow between instances. */
  ping?(): Promise<void>
  close(): Promise<void>
}
