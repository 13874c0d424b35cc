import { randomBytes, randomUUID } from 'node:crypto'
import type { Selectable } from 'kysely'
import { newPublicWidgetKey } from '../auth/keys.ts'
import type { Db, TenantsTable } from '../db/schema.ts'
import { nowIso } from '../ids.ts'

/**
 * A tenant. `help_center_slug` (read by {@link findTenantById}, which public widget requests use):
 * its Help Center's slug while the Help Center is enabled, else null — the widget is allowed on
 * that Help Center's pages without an `allowed_origins` entry.
 */
export type TenantRow = Selectable<TenantsTable> & { help_center_slug?: string | null }

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
    token_revocations: '[]',
  }
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('tenants').values(row).execute()
    await replaceTenantOrigins(trx, row.id, originsOf(input.config))
  })
  return row
}

export async function findTenantById(db: Db, id: string): Promise<TenantRow | undefined> {
  return db
    .selectFrom('tenants')
    .leftJoin('help_centers', (j) =>
      j.onRef('help_centers.tenant_id', '=', 'tenants.id').on('help_centers.enabled', '=', 1),
    )
    .selectAll('tenants')
    .select('help_centers.slug as help_center_slug')
    .where('tenants.id', '=', id)
    .executeTakeFirst()
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
  opts: {
    expected?: string
    /** More writes of the same transaction (e.g. the change's webhook event), after the update. */
    alsoInTransaction?: (trx: Db) => Promise<void>
  } = {},
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
    await opts.alsoInTransaction?.(trx)
    return true
  })
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
export async function rotatePublicWidgetKey(
  db: Db,
  id: string,
  /** More writes of the same transaction (the change's webhook event), given the new key. */
  alsoInTransaction?: (trx: Db, key: string) => Promise<void>,
): Promise<string | undefined> {
  const key = newPublicWidgetKey()
  return db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('tenants')
      .set({ public_widget_key: key, updated_at: nowIso() })
      .where('id', '=', id)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0) return undefined
    await alsoInTransaction?.(trx, key)
    return key
  })
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
  return Number(res.numUpdatedRows) > 0 ? secret : undefined
}
