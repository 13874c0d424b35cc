import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runAurion } from '../../test/aurion-process.ts'
import { createTestDatabase, forEachDialect } from '../../test/helpers.ts'
import {
  countActiveApiKeys,
  createApiKey,
  findApiKeyByHash,
  findApiKeyById,
  listApiKeys,
  parseScopes,
  revokeApiKey,
} from '../auth/api-key-repo.ts'
import { sha256Hex } from '../auth/keys.ts'
import {
  countTenants,
  createTenant,
  findTenantById,
  findTenantByName,
  findTenantByPublicKey,
  isOriginAllowedByAnyTenant,
  listTenants,
  rotateIdentitySecret,
  rotatePublicWidgetKey,
  updateTenantConfig,
} from '../tenants/tenant-repo.ts'
import { connectDb, type DbHandle } from './connect.ts'
import { migrateToLatest } from './migrate.ts'

forEachDialect('storage', (dialect) => {
  let h: DbHandle
  beforeAll(async () => {
    h = await createTestDatabase(dialect)
  })
  afterAll(async () => h.close())

  it('migrations are recorded and a second run applies nothing', async () => {
    expect(await migrateToLatest(h)).toEqual([])
    await h.ping()
  })

  describe('tenants', () => {
    it('creates tenants with UUID ids, a vwk_ key and a 256-bit identity secret', async () => {
      const t = await createTenant(h.db, {
        name: 'Acme',
        config: { allowed_origins: ['https://a.example'] },
      })
      expect(t.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      expect(t.public_widget_key).toMatch(/^vwk_[0-9A-Za-z]{24}$/)
      expect(t.identity_secret).toMatch(/^[0-9a-f]{64}$/)
      // The look-up by id also says which Help Center slug the widget may appear under (none yet).
      expect(await findTenantById(h.db, t.id)).toEqual({ ...t, help_center_slug: null })
      expect(await findTenantByPublicKey(h.db, t.public_widget_key)).toEqual(t)
      expect(await findTenantById(h.db, '00000000-0000-4000-8000-000000000000')).toBeUndefined()
      expect(await isOriginAllowedByAnyTenant(h.db, 'https://a.example')).toBe(true)
    })

    it('finds by name (oldest first), lists and counts', async () => {
      const before = await countTenants(h.db)
      const first = await createTenant(h.db, { name: 'Twin' })
      // Timestamps have millisecond resolution: "oldest" needs the second twin in a later one.
      while (new Date().toISOString() <= first.created_at)
        await new Promise((r) => setTimeout(r, 1))
      await createTenant(h.db, { name: 'Twin' })
      expect((await findTenantByName(h.db, 'Twin'))?.id).toBe(first.id)
      expect(await findTenantByName(h.db, 'Nobody')).toBeUndefined()
      expect(await countTenants(h.db)).toBe(before + 2)
      expect((await listTenants(h.db)).length).toBe(before + 2)
    })

    it('updates the config and its origin index together; a stale compare-and-set writes nothing', async () => {
      const t = await createTenant(h.db, {
        name: 'CAS',
        config: { allowed_origins: ['https://old.example'] },
      })
      const stored = (await findTenantById(h.db, t.id))!.config
      expect(
        await updateTenantConfig(
          h.db,
          t.id,
          { allowed_origins: ['https://new.example'] },
          { expected: stored },
        ),
      ).toBe(true)
      expect(await isOriginAllowedByAnyTenant(h.db, 'https://old.example')).toBe(false)
      expect(await isOriginAllowedByAnyTenant(h.db, 'https://new.example')).toBe(true)
      // Computed from the old JSON: refused, nothing changes.
      expect(
        await updateTenantConfig(
          h.db,
          t.id,
          { allowed_origins: ['https://lost.example'] },
          { expected: stored },
        ),
      ).toBe(false)
      expect(JSON.parse((await findTenantById(h.db, t.id))!.config).allowed_origins).toEqual([
        'https://new.example',
      ])
      expect(await isOriginAllowedByAnyTenant(h.db, 'https://lost.example')).toBe(false)
      expect(await updateTenantConfig(h.db, '00000000-0000-4000-8000-000000000000', {})).toBe(false)
    })

    it('rotates the public key and identity secret; the old key no longer resolves', async () => {
      const t = await createTenant(h.db, { name: 'Rotate' })
      const key = await rotatePublicWidgetKey(h.db, t.id)
      expect(key).toMatch(/^vwk_[0-9A-Za-z]{24}$/)
      expect(key).not.toBe(t.public_widget_key)
      expect(await findTenantByPublicKey(h.db, t.public_widget_key)).toBeUndefined()
      expect((await findTenantByPublicKey(h.db, key!))?.id).toBe(t.id)
      const secret = await rotateIdentitySecret(h.db, t.id)
      expect(secret).not.toBe(t.identity_secret)
      expect((await findTenantById(h.db, t.id))?.identity_secret).toBe(secret)
      expect(
        await rotatePublicWidgetKey(h.db, '00000000-0000-4000-8000-000000000000'),
      ).toBeUndefined()
      expect(
        await rotateIdentitySecret(h.db, '00000000-0000-4000-8000-000000000000'),
      ).toBeUndefined()
    })

    it('public widget keys are unique', async () => {
      const a = await createTenant(h.db, { name: 'U1' })
      const b = await createTenant(h.db, { name: 'U2' })
      await expect(
        h.db
          .updateTable('tenants')
          .set({ public_widget_key: a.public_widget_key })
          .where('id', '=', b.id)
          .execute(),
      ).rejects.toThrow()
    })
  })

  describe('API keys', () => {
    it('stores only a SHA-256 hash and a display prefix', async () => {
      const t = await createTenant(h.db, { name: 'Keys' })
      const { key, row } = await createApiKey(h.db, {
        tenantId: t.id,
        scopes: ['config:read', 'config:write', 'config:read'],
        name: 'ci',
      })
      expect(key).toMatch(/^itsm_sk_live_[0-9A-Za-z]{40}$/)
      expect(row.key_hash).toBe(sha256Hex(key))
      expect(row.prefix).toBe(key.slice(0, 17))
      expect(parseScopes(row)).toEqual(['config:read', 'config:write'])
      const raw = await h.db
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', row.id)
        .executeTakeFirst()
      expect(JSON.stringify(raw)).not.toContain(key)
      expect(await findApiKeyByHash(h.db, sha256Hex(key))).toEqual(row)
      expect(await findApiKeyByHash(h.db, sha256Hex(`${key}x`))).toBeUndefined()
    })

    it('lists newest first, counts active ones, revokes within the tenant only', async () => {
      const t = await createTenant(h.db, { name: 'List' })
      const other = await createTenant(h.db, { name: 'Other' })
      const k1 = await createApiKey(h.db, { tenantId: t.id, scopes: ['config:read'] })
      const k2 = await createApiKey(h.db, { tenantId: t.id, scopes: ['config:read'] })
      const list = await listApiKeys(h.db, t.id)
      expect(list.map((k) => k.id)).toEqual(
        k1.row.created_at === k2.row.created_at
          ? [k1.row.id, k2.row.id].sort().reverse()
          : [k2.row.id, k1.row.id],
      )
      expect(await countActiveApiKeys(h.db, t.id)).toBe(2)
      expect(await revokeApiKey(h.db, other.id, k1.row.id)).toBe(false)
      expect(await findApiKeyById(h.db, other.id, k1.row.id)).toBeUndefined()
      expect(await revokeApiKey(h.db, t.id, k1.row.id)).toBe(true)
      const revokedAt = (await findApiKeyById(h.db, t.id, k1.row.id))?.revoked_at
      expect(revokedAt).toEqual(expect.any(String))
      expect(await revokeApiKey(h.db, t.id, k1.row.id)).toBe(true)
      expect((await findApiKeyById(h.db, t.id, k1.row.id))?.revoked_at).toBe(revokedAt)
      expect(await countActiveApiKeys(h.db, t.id)).toBe(1)
      expect(await revokeApiKey(h.db, t.id, 'key_missing')).toBe(false)
    })

    it('parseScopes tolerates corrupt JSON', () => {
      expect(parseScopes({ scopes: 'nope' })).toEqual([])
      expect(parseScopes({ scopes: '{"a":1}' })).toEqual([])
      expect(parseScopes({ scopes: '["config:read", 5]' })).toEqual(['config:read'])
    })
  })

  it('deleting a tenant removes its keys and origins (foreign keys cascade)', async () => {
    const t = await createTenant(h.db, {
      name: 'Gone',
      config: { allowed_origins: ['https://gone.example'] },
    })
    const { key } = await createApiKey(h.db, { tenantId: t.id, scopes: ['config:read'] })
    await h.db.deleteFrom('tenants').where('id', '=', t.id).execute()
    expect(await findApiKeyByHash(h.db, sha256Hex(key))).toBeUndefined()
    expect(await isOriginAllowedByAnyTenant(h.db, 'https://gone.example')).toBe(false)
  })

  it('refuses a key for a tenant that does not exist', async () => {
    await expect(
      createApiKey(h.db, {
        tenantId: '00000000-0000-4000-8000-000000000000',
        scopes: ['config:read'],
      }),
    ).rejects.toThrow()
  })
})

describe('SQLite file database', { timeout: 90_000 }, () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aurion-sqlite-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('runs in WAL mode with foreign keys, durable commits and a busy timeout', async () => {
    const h = await connectDb({ dataDir: dir })
    try {
      await migrateToLatest(h)
      const pragma = async (name: string) =>
        Object.values((await sql.raw(`pragma ${name}`).execute(h.db)).rows[0] as object)[0]
      expect(await pragma('foreign_keys')).toBe(1)
      expect(await pragma('busy_timeout')).toBe(5000)
      // NORMAL: the driver syncs the log before a write resolves (db/sqlite/durable-driver.ts), shared by
      // concurrent writers and off the event loop, instead of SQLite syncing at every commit.
      expect(await pragma('synchronous')).toBe(1)
      const raw = new SQLite(join(dir, 'aurion.db'), { readonly: true })
      try {
        expect(raw.pragma('journal_mode', { simple: true })).toBe('wal')
      } finally {
        raw.close()
      }
    } finally {
      await h.close()
    }
  })

  it('several processes migrate and write one fresh file at once', async () => {
    const fresh = join(dir, 'fresh')
    // Three CLIs on an empty data dir: each migrates, then creates a tenant, all at the same time.
    const runs = await Promise.all(
      [1, 2, 3].map((i) =>
        runAurion(['tenant', 'create', '--name', `parallel-${i}`, '--json'], {
          AURION_DATA_DIR: fresh,
        }),
      ),
    )
    for (const r of runs) {
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
    }
    const h = await connectDb({ dataDir: fresh })
    try {
      expect(await migrateToLatest(h)).toEqual([])
      const names = (await listTenants(h.db)).map((t) => t.name).sort()
      expect(names).toEqual(['parallel-1', 'parallel-2', 'parallel-3'])
    } finally {
      await h.close()
    }
  })

  it('opens the SQLite file named by DATABASE_URL', async () => {
    const file = join(dir, 'custom.db')
    const h = await connectDb({ databaseUrl: `sqlite:${file}` })
    try {
      expect(h.dialect).toBe('sqlite')
      await migrateToLatest(h)
      await createTenant(h.db, { name: 'custom' })
    } finally {
      await h.close()
    }
    const raw = new SQLite(file, { readonly: true })
    try {
      expect(raw.prepare('select name from tenants').all()).toEqual([{ name: 'custom' }])
    } finally {
      raw.close()
    }
  })
})
