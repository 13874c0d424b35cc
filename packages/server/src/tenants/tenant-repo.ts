import { randomBytes, randomUUID } from 'node:crypto'
import { newPublicWidgetKey } from '../auth/keys.ts'
import type { Db, TenantsTable } from '../db/schema.ts'
import { nowIso } from '../ids.ts'

export type TenantRow = TenantsTable

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
  await db.insertInto('tenants').values(row).execute()
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
  return db.selectFrom('tenants').selectAll().orderBy('created_at').execute()
}

export async function updateTenantConfig(
  db: Db,
  id: string,
  config: Record<string, unknown>,
): Promise<void> {
  await db
    .updateTable('tenants')
    .set({ config: JSON.stringify(config), updated_at: nowIso() })
    .where('id', '=', id)
    .execute()
}

/** Replaces the public widget key; the old one stops matching at once. Returns the new key. */
export async function rotatePublicWidgetKey(db: Db, id: string): Promise<string> {
  const key = newPublicWidgetKey()
  await db
    .updateTable('tenants')
    .set({ public_widget_key: key, updated_at: nowIso() })
    .where('id', '=', id)
    .execute()
  return key
}

/** Replaces the identity-verification secret used for `user_hash`. Returns the new secret. */
export async function rotateIdentitySecret(db: Db, id: string): Promise<string> {
  const secret = randomBytes(32).toString('hex')
  await db
    .updateTable('tenants')
    .set({ identity_secret: secret, updated_at: nowIso() })
    .where('id', '=', id)
    .execute()
  return secret
}
