import type { Generated } from 'kysely'

// Webhook tables of the `Database` schema (schema.ts): endpoints, their events, deliveries, attempts.

/** A tenant's webhook endpoint (migration 0015). */
export interface WebhookEndpointsTable {
  id: string
  tenant_id: string
  url: string
  /** JSON array of event types. */
  events: string
  description: string | null
  /** 1 or 0. */
  enabled: number
  /** `standard` or `slack`. */
  format: string
  /** The signing secret, encrypted (webhooks/secret-box.ts). */
  secret_enc: string
  /** `gone` / `failing` when the server switched it off, else null. */
  disabled_reason: string | null
  /** First failure of the current run of failures; null after a success. */
  failing_since: string | null
  created_at: string
  updated_at: string
}

/** The outbox: one row per event, written in the transaction of the change it reports. */
export interface WebhookEventsTable {
  id: string
  tenant_id: string
  type: string
  /** The body as sent and signed: `{"type","timestamp","data"}`. */
  payload: string
  created_at: string
  /**
   * JSON array of the endpoints subscribed when the event was written, until the delivery worker
   * has made their deliveries (migration 0033); then null.
   */
  fanout: string | null
}

export interface WebhookDeliveriesTable {
  id: string
  tenant_id: string
  endpoint_id: string
  event_id: string
  /** `pending`, `succeeded` or `failed`. */
  status: string
  attempt_count: Generated<number>
  /** When a worker may take it next (also the end of a running attempt's lease). */
  next_attempt_at: string | null
  last_status_code: number | null
  last_error: string | null
  last_duration_ms: number | null
  created_at: string
  updated_at: string
}

export interface WebhookAttemptsTable {
  id: string
  delivery_id: string
  attempt: number
  status_code: number | null
  duration_ms: number
  error: string | null
  next_retry_at: string | null
  created_at: string
}
