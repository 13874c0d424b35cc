import type { ApiKeysTable, Db } from '../db/schema.ts'
import { newId, nowIso } from '../ids.ts'
import { displayPrefix, newApiKey, sha256Hex } from './keys.ts'

export type ApiKeyRow = ApiKeysTable

/** Creates a key; the plaintext is returned once and never stored. */
export async function createApiKey(
  db: Db,
  input: { tenantId: string; scopes: string[]; name?: string },
): Promise<{ key: string; row: ApiKeyRow }> {
  const key = newApiKey()
  const row: ApiKeyRow = {
    id: newId('key'),
    tenant_id: input.tenantId,
    name: input.name ?? 'API key',
    prefix: displayPrefix(key),
    key_hash: sha256Hex(key),
    scopes: JSON.stringify([...new Set(input.scopes)]),
    created_at: nowIso(),
    last_used_at: null,
    revoked_at: null,
  }
  await db.insertInto('api_keys').values(row).execute()
  return { key, row }
}

export async function findApiKeyByHash(db: Db, hash: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('key_hash', '=', hash).executeTakeFirst()
}

export async function findApiKeyById(
  db: Db,
  tenantId: string,
  id: string,
): Promise<ApiKeyRow | undefined> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst()
}

/** A tenant's keys, newest first (revoked ones included). */
export async function listApiKeys(db: Db, tenantId: string): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute()
}

export async function countActiveApiKeys(db: Db, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('revoked_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Revokes a tenant's key; returns false when the tenant has no such key. */
export async function revokeApiKey(db: Db, tenantId: string, id: string): Promise<boolean> {
  const res = await db
    .updateTable('api_keys')
    .set({ revoked_at: nowIso() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  if (Number(res.numUpdatedRows) > 0) return true
  const exists = await db
    .selectFrom('api_keys')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst()
  return exists !== undefined
}

/** Records when the key was last used. */
export async function touchApiKey(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute()
}

export function parseScopes(row: Pick<ApiKeyRow, 'scopes'>): string[] {
  try {
    const v: unknown = JSON.parse(row.scopes)
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []
  } catch {
    return []
  }
}
