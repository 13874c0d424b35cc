import type { Selectable } from 'kysely'
import { prepare } from '../db/prepared.ts'
import type { Db, WebhookEndpointsTable } from '../db/schema.ts'

export type EndpointRow = Selectable<WebhookEndpointsTable>

export async function insertEndpoint(db: Db, row: EndpointRow): Promise<void> {
  await db.insertInto('webhook_endpoints').values(row).execute()
}

/** The tenant's endpoints, oldest first. */
export function listEndpoints(db: Db, tenantId: string): Promise<EndpointRow[]> {
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
}

export async function countEndpoints(db: Db, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('webhook_endpoints')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}

export function findEndpoint(
  db: Db,
  tenantId: string,
  id: string,
): Promise<EndpointRow | undefined> {
  return db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function updateEndpoint(
  db: Db,
  tenantId: string,
  id: string,
  patch: Partial<Omit<EndpointRow, 'id' | 'tenant_id' | 'created_at'>>,
): Promise<boolean> {
  const r = await db
    .updateTable('webhook_endpoints')
    .set(patch)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}

export async function deleteEndpoint(db: Db, tenantId: string, id: string): Promise<boolean> {
  const r = await db
    .deleteFrom('webhook_endpoints')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst()
  return Number(r.numDeletedRows) > 0
}

// Every stored message asks this (in its transaction): built and compiled once.
const enabledEndpointsQuery = prepare((db: Db, p: { tenantId: string }) =>
  db
    .selectFrom('webhook_endpoints')
    .select(['id', 'events'])
    .where('tenant_id', '=', p.tenantId)
    .where('enabled', '=', 1),
)

/** Enabled endpoints of the tenant subscribed to `type` (ids only: the worker reads the rest). */
export async function subscribedEndpointIds(
  db: Db,
  tenantId: string,
  type: string,
): Promise<string[]> {
  const { rows } = await enabledEndpointsQuery(db, { tenantId })
  return rows.filter((r) => eventsOf(r).includes(type)).map((r) => r.id)
}

/** The stored event list of an endpoint. */
export function eventsOf(row: Pick<EndpointRow, 'events'>): string[] {
  return storedStrings(row.events)
}

/** A stored JSON array of strings (an endpoint's events, an event's `fanout`); else none. */
export function storedStrings(json: string | null): string[] {
  if (json === null) return []
  try {
    const list = JSON.parse(json) as unknown
    return Array.isArray(list) ? list.filter((e): e is string => typeof e === 'string') : []
  } catch {
    return []
  }
}
