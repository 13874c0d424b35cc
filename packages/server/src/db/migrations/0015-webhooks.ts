import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../schema.ts'

/**
 * Webhooks: the tenant's endpoints, and an outbox of events written in the same transaction as
 * the change each reports, with one delivery per (event, endpoint) and a log of its attempts.
 * - `webhook_endpoints.secret_enc`: the signing secret encrypted with a key derived from
 *   AURION_SECRET (it must be recoverable to sign; see webhooks/secret-box.ts);
 * - `webhook_deliveries_due`: what the delivery worker claims (pending, by due time);
 * - deleting an endpoint or an event deletes its deliveries and attempts.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await sql`create table webhook_endpoints (
    id text primary key,
    tenant_id text not null references tenants(id) on delete cascade,
    url text not null,
    events text not null,
    description text,
    enabled integer not null default 1,
    format text not null default 'standard',
    secret_enc text not null,
    disabled_reason text,
    failing_since text,
    created_at text not null,
    updated_at text not null
  )`.execute(db)
  await sql`create index webhook_endpoints_tenant on webhook_endpoints (tenant_id, created_at)`.execute(
    db,
  )
  await sql`create table webhook_events (
    id text primary key,
    tenant_id text not null references tenants(id) on delete cascade,
    type text not null,
    payload text not null,
    created_at text not null
  )`.execute(db)
  await sql`create index webhook_events_created on webhook_events (created_at)`.execute(db)
  await sql`create table webhook_deliveries (
    id text primary key,
    tenant_id text not null,
    endpoint_id text not null references webhook_endpoints(id) on delete cascade,
    event_id text not null references webhook_events(id) on delete cascade,
    status text not null,
    attempt_count integer not null default 0,
    next_attempt_at text,
    last_status_code integer,
    last_error text,
    last_duration_ms integer,
    created_at text not null,
    updated_at text not null
  )`.execute(db)
  await sql`create index webhook_deliveries_due on webhook_deliveries (next_attempt_at)
    where status = 'pending'`.execute(db)
  await sql`create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, created_at)`.execute(
    db,
  )
  await sql`create index webhook_deliveries_event on webhook_deliveries (event_id)`.execute(db)
  await sql`create table webhook_attempts (
    id text primary key,
    delivery_id text not null references webhook_deliveries(id) on delete cascade,
    attempt integer not null,
    status_code integer,
    duration_ms integer not null,
    error text,
    next_retry_at text,
    created_at text not null
  )`.execute(db)
  await sql`create index webhook_attempts_delivery on webhook_attempts (delivery_id, attempt)`.execute(
    db,
  )
}
