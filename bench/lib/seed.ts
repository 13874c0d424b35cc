import { createApiKey } from '../../packages/server/src/auth/api-key-repo.ts'
import { connectDb, type DbHandle } from '../../packages/server/src/db/connect.ts'
import { migrateToLatest } from '../../packages/server/src/db/migrate.ts'
import { seedDemoArticles } from '../../packages/server/src/knowledge/demo-articles.ts'
import { createTenant } from '../../packages/server/src/tenants/tenant-repo.ts'

/** The customer site the bench visitors come from (in the tenant's allowed origins). */
export const BENCH_ORIGIN = 'https://shop.example'
/** AURION_SECRET of every bench server. */
export const BENCH_SECRET = 'bench-secret-0123456789abcdef0123456789abcdef'

/** Where a bench server keeps its data: a SQLite file, or a PostgreSQL schema of its own. */
export type BenchStore =
  | { dialect: 'sqlite'; file: string }
  | { dialect: 'postgres'; url: string; schema: string }

export interface BenchTenant {
  tenantId: string
  publicKey: string
  /** All-scopes admin API key. */
  apiKey: string
}

/** Opens the store (creating the PostgreSQL schema); the caller closes it. */
export function openStore(store: BenchStore, poolSize = 3): Promise<DbHandle> {
  return store.dialect === 'sqlite'
    ? connectDb({ sqliteFile: store.file })
    : connectDb({ databaseUrl: store.url, pgSchema: store.schema, pgPoolSize: poolSize })
}

/** `DATABASE_URL` that makes a server use the store (its own PostgreSQL schema via search_path). */
export function storeDatabaseUrl(store: BenchStore): string {
  if (store.dialect === 'sqlite') return `sqlite:${store.file}`
  const u = new URL(store.url)
  u.searchParams.set('options', `-c search_path=${store.schema}`)
  return u.toString()
}

/**
 * Migrates the store and creates a tenant whose widget is enabled for `origins` (default
 * {@link BENCH_ORIGIN}),
 * with the demo help-desk articles the built-in agent answers from and an admin API key.
 */
export async function seedStore(
  store: BenchStore,
  opts: { origins?: string[] } = {},
): Promise<BenchTenant> {
  const database = await openStore(store)
  try {
    await migrateToLatest(database)
    const tenant = await createTenant(database.db, {
      name: 'Bench Shop',
      config: {
        enabled: true,
        display_title: 'Shop support',
        launcher_label: 'Chat with us',
        welcome_text: 'Hi! How can we help you today?',
        allowed_origins: opts.origins ?? [BENCH_ORIGIN],
      },
    })
    await seedDemoArticles(database.db, tenant.id)
    const { key } = await createApiKey(database.db, {
      tenantId: tenant.id,
      scopes: [
        'config:read',
        'config:write',
        'knowledge:read',
        'knowledge:write',
        'conversations:read',
      ],
    })
    return { tenantId: tenant.id, publicKey: tenant.public_widget_key, apiKey: key }
  } finally {
    await database.close()
  }
}

/** Drops a PostgreSQL store's schema (no-op for SQLite; its directory is removed by the caller). */
export async function dropStore(store: BenchStore): Promise<void> {
  if (store.dialect !== 'postgres') return
  const database = await openStore(store)
  try {
    await database.db.schema.dropSchema(store.schema).ifExists().cascade().execute()
  } finally {
    await database.close()
  }
}
