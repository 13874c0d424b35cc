import {
  dropStore,
  openStore,
  provisionTenant,
  type StoreLocation,
  storeDatabaseUrl,
} from '@aurion/server/test-support'

export { dropStore, openStore, storeDatabaseUrl }

/** The customer site the bench visitors come from (in the tenant's allowed origins). */
export const BENCH_ORIGIN = 'https://shop.example'
/** AURION_SECRET of every bench server. */
export const BENCH_SECRET = 'bench-secret-0123456789abcdef0123456789abcdef'

/** Where a bench server keeps its data: a SQLite file, or a PostgreSQL schema of its own. */
export type BenchStore = StoreLocation

export interface BenchTenant {
  tenantId: string
  publicKey: string
  /** All-scopes admin API key. */
  apiKey: string
}

/**
 * Migrates the store and creates a tenant whose widget is enabled for `origins` (default
 * {@link BENCH_ORIGIN}), with the demo help-desk articles the built-in agent answers from and
 * an all-scopes admin API key (and a console user, when given).
 */
export async function seedStore(
  store: BenchStore,
  opts: { origins?: string[]; consoleUser?: { email: string; password: string } } = {},
): Promise<BenchTenant> {
  const database = await openStore(store)
  try {
    const t = await provisionTenant(database.db, {
      name: 'Bench Shop',
      config: {
        enabled: true,
        display_title: 'Shop support',
        launcher_label: 'Chat with us',
        welcome_text: 'Hi! How can we help you today?',
        allowed_origins: opts.origins ?? [BENCH_ORIGIN],
      },
      articles: true,
      ...(opts.consoleUser ? { consoleUser: opts.consoleUser } : {}),
    })
    return { tenantId: t.tenantId, publicKey: t.publicKey, apiKey: t.apiKey }
  } finally {
    await database.close()
  }
}
