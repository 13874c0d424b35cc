import { randomBytes, randomUUID } from 'node:crypto'
import { newPublicWidgetKey } from '../auth/keys.ts'
import type { Db, TenantsTable } from '../db/schema.ts'
import { nowIso } from '../ids.ts'

export type TenantRow = TenantsTable

const writeListeners = new WeakMap<Db, Set<(tenantId: string) => void>>()

/**
 * Calls `fn` with the tenant id after every tenant change made through this module on `db`, once
 * committed: in-process caches drop the entry at once, whoever made the change. (Other instances
 * learn it from the bus events the routes publish.) Returns an unsubscribe function.
 */
export function onTenantWritten(db: Db, fn: (tenantId: string) => void): () => void {
  let set = writeListeners.get(db)
  if (!set) {
    set = new Set()
    writeListeners.set(db, set)
  }
  set.add(fn)
  return () => set.delete(fn)
}

function tenantWritten(db: Db, id: string): void {
  for (const fn of writeListeners.get(db) ?? []) fn(id)
}

/** Creates a tenant with a fresh public widget key and identity secret; `config` is stored JSON. */
export async function createTenant(
  db: Db,
  input: { name: string; config?: Record<string, unknown> },
): Promise<TenantRow> {
  const now = nowIso()
  const row: TenantRow = {
    id: randomUUID(),
    name: input.name,
    public_widget_key: newPublicWidgetKey(),
    identity_secret: randomBytes(32).toString('hex'),
    config: JSON.stringify(input.config ?? {}),
    created_at: now,
    updated_at: now,
  }
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('tenants').values(row).execute()
    await replaceTenantOrigins(trx, row.id, originsOf(input.config))
  })
  return row
}

export async function findTenantById(db: Db, id: string): Promise<TenantRow | undefined> {
  return db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function findTenantByPublicKey(db: Db, key: string): Promise<TenantRow | undefined> {
  return db
    .selectFrom('tenants')
    .selectAll()
    .where('public_widget_key', '=', key)
    .executeTakeFirst()
}

export async function listTenants(db: Db): Promise<TenantRow[]> {
  return db.selectFrom('tenants').selectAll().orderBy('created_at').orderBy('id').execute()
}

/** The oldest tenant with this exact name (names are labels, not unique). */
export async function findTenantByName(db: Db, name: string): Promise<TenantRow | undefined> {
  return db
    .selectFrom('tenants')
    .selectAll()
    .where('name', '=', name)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst()
}

export async function countTenants(db: Db): Promise<number> {
  const row = await db
    .selectFrom('tenants')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/**
 * Stores the config and keeps `tenant_origins` in step with its `allowed_origins`, atomically.
 * With `expected` (the stored JSON the new config was computed from) it is a compare-and-set:
 * nothing is written and `false` comes back when someone else changed the config meanwhile.
 * Also `false` when the tenant does not exist.
 */
export async function updateTenantConfig(
  db: Db,
  id: string,
  config: Record<string, unknown>,
  opts: { expected?: string } = {},
): Promise<boolean> {
  const stored = await db.transaction().execute(async (trx) => {
    let q = trx
      .updateTable('tenants')
      .set({ config: JSON.stringify(config), updated_at: nowIso() })
      .where('id', '=', id)
    if (opts.expected !== undefined) q = q.where('config', '=', opts.expected)
    const res = await q.executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0) return false
    await replaceTenantOrigins(trx, id, originsOf(config))
    return true
  })
  if (stored) tenantWritten(db, id)
  return stored
}

function originsOf(config: Record<string, unknown> | undefined): string[] {
  const o = config?.allowed_origins
  return Array.isArray(o) ? [...new Set(o.filter((v): v is string => typeof v === 'string'))] : []
}

async function replaceTenantOrigins(db: Db, tenantId: string, origins: string[]): Promise<void> {
  await db.deleteFrom('tenant_origins').where('tenant_id', '=', tenantId).execute()
  if (origins.length > 0) {
    await db
      .insertInto('tenant_origins')
      .values(origins.map((origin) => ({ tenant_id: tenantId, origin })))
      .execute()
  }
}

/** Does any tenant allow this (normalized) origin? Answers CORS preflights, which name no tenant. */
export async function isOriginAllowedByAnyTenant(db: Db, origin: string): Promise<boolean> {
  const row = await db
    .selectFrom('tenant_origins')
    .select('tenant_id')
    .where('origin', '=', origin)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Replaces the public widget key; the old one stops matching at once. Returns the new key, or
 * undefined when the tenant does not exist.
 */
export async function rotatePublicWidgetKey(db: Db, id: string): Promise<string | undefined> {
  const key = newPublicWidgetKey()
  const res = await db
    .updateTable('tenants')
    .set({ public_widget_key: key, updated_at: nowIso() })
    .where('id', '=', id)
    .executeTakeFirst()
  tenantWritten(db, id)
  return Number(res.numUpdatedRows) > 0 ? key : undefined
}

/**
 * Replaces the identity-verification secret used for `user_hash`. Returns the new secret, or
 * undefined when the tenant does not exist.
 */
export async function rotateIdentitySecret(db: Db, id: string): Promise<string | undefined> {
  const secret = randomBytes(32).toString('hex')
  const res = await db
    .updateTable('tenants')
    .set({ identity_secret: secret, updated_at: nowIso() })
    .where('id', '=', id)
    .executeTakeFirst()
  tenantWritten(db, id)
  return Number(res.numUpdatedRows) > 0 ? secret : undefined
}
