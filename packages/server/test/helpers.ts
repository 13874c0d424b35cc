import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { describe } from 'vitest'
import { buildApp } from '../src/app.ts'
import type { AppDeps } from '../src/app-deps.ts'
import { createApiKey } from '../src/auth/api-key-repo.ts'
import { type Config, loadConfig } from '../src/config.ts'
import { connectDb, type DbHandle } from '../src/db/connect.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import type { Db, Dialect } from '../src/db/schema.ts'
import { createTenant, type TenantRow } from '../src/tenants/tenant-repo.ts'

export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef'

/** Dialects to run on: SQLite always; PostgreSQL when TEST_DATABASE_URL is set (required under CI). */
export function testDialects(): Dialect[] {
  if (process.env.TEST_DATABASE_URL) return ['sqlite', 'postgres']
  if (process.env.CI === 'true')
    throw new Error('CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests must run in CI')
  return ['sqlite']
}

/** Runs the suite once per dialect: `forEachDialect('config API', (dialect) => { … })`. */
export function forEachDialect(name: string, fn: (dialect: Dialect) => void): void {
  describe.each(testDialects())(`${name} [%s]`, (dialect) => fn(dialect))
}

/**
 * A fresh database: in-memory SQLite, or a PostgreSQL schema of its own (dropped on close).
 * `upTo`: migrated only up to that migration (tests of the next one).
 */
export async function createTestDatabase(dialect: Dialect, upTo?: string): Promise<DbHandle> {
  if (dialect === 'sqlite') {
    const handle = await connectDb({ sqliteFile: ':memory:' })
    await migrateToLatest(handle, upTo)
    return handle
  }
  const url = process.env.TEST_DATABASE_URL
  if (!url) throw new Error('TEST_DATABASE_URL is not set')
  const schema = `t_${randomBytes(6).toString('hex')}`
  const handle = await connectDb({ databaseUrl: url, pgSchema: schema, pgPoolSize: 5 })
  await migrateToLatest(handle, upTo)
  const close = handle.close.bind(handle)
  return {
    ...handle,
    async close() {
      await handle.db.schema.dropSchema(schema).ifExists().cascade().execute()
      await close()
    },
  }
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    AURION_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    AURION_DATA_DIR: '/tmp/aurion-test-unused',
    ...env,
  })
}

export interface TestApp {
  app: FastifyInstance
  db: Db
  database: DbHandle
  config: Config
  close(): Promise<void>
}

/** `buildApp` on a fresh database of the given dialect; close() closes app and database. */
export async function buildTestApp(
  opts: {
    dialect?: Dialect
    env?: Record<string, string>
    deps?: Partial<Omit<AppDeps, 'database'>>
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase(opts.dialect ?? 'sqlite')
  const config = testConfig(opts.env)
  const app = await buildApp(config, { database, ...opts.deps })
  await app.ready()
  return {
    app,
    db: database.db,
    database,
    config,
    async close() {
      await app.close()
      await database.close()
    },
  }
}

export interface TestTenant {
  tenant: TenantRow
  tenantId: string
  publicKey: string
  /** An API key with config:read, config:write, knowledge:read, knowledge:write. */
  apiKey: string
}

/** A tenant with the given stored widget config and an all-scopes API key. */
export async function createTestTenant(
  db: Db,
  opts: { name?: string; config?: Record<string, unknown>; scopes?: string[] } = {},
): Promise<TestTenant> {
  const tenant = await createTenant(db, {
    name: opts.name ?? 'Acme',
    config: opts.config ?? { enabled: true, allowed_origins: ['https://example.com'] },
  })
  const { key } = await createApiKey(db, {
    tenantId: tenant.id,
    scopes: opts.scopes ?? [
      'config:read',
      'config:write',
      'knowledge:read',
      'knowledge:write',
      'conversations:read',
    ],
  })
  return { tenant, tenantId: tenant.id, publicKey: tenant.public_widget_key, apiKey: key }
}
