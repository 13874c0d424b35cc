import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { connectDb, type DbHandle } from '../src/db/connect.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import type { Dialect } from '../src/db/schema.ts'

/** Dialects to run on: SQLite always; PostgreSQL when TEST_DATABASE_URL is set (required under CI). */
export function testDialects(): Dialect[] {
  if (process.env.TEST_DATABASE_URL) return ['sqlite', 'postgres']
  if (process.env.CI === 'true')
    throw new Error('CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests must run in CI')
  return ['sqlite']
}

/**
 * Speed: migrating a PostgreSQL schema takes seconds (every migration's DDL), and most tests want
 * a fresh one. A closed test database's schema is emptied instead of dropped (`TRUNCATE … RESTART
 * IDENTITY`: same state as freshly migrated — migrations seed no rows) and handed to the next
 * test of this file, which skips migrating; `afterAll` in `pg-spares.ts` drops the spares.
 * `AURION_TEST_PG_REUSE=0` turns it off (every test migrates a schema of its own).
 */
const spareSchemas: string[] = []
const REUSE = process.env.AURION_TEST_PG_REUSE !== '0'

/** Empties every table of `schema` but Kysely's migration bookkeeping. */
async function emptySchema(handle: DbHandle, schema: string): Promise<void> {
  const { rows } = await sql<{ name: string }>`select table_name as name
    from information_schema.tables
    where table_schema = ${schema} and table_type = 'BASE TABLE' and table_name not like 'kysely\_%'`.execute(
    handle.db,
  )
  if (rows.length === 0) return
  const tables = rows.map((r) => `"${schema}"."${r.name.replaceAll('"', '""')}"`).join(', ')
  await sql.raw(`truncate ${tables} restart identity cascade`).execute(handle.db)
}

/** Drops the emptied schemas this process kept for reuse (at the end of a test file). */
export async function dropSpareSchemas(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL
  if (!url || spareSchemas.length === 0) return
  const handle = await connectDb({ databaseUrl: url, pgPoolSize: 1 })
  try {
    for (const schema of spareSchemas.splice(0)) {
      await handle.db.schema.dropSchema(schema).ifExists().cascade().execute()
    }
  } finally {
    await handle.close()
  }
}

/**
 * A fresh database: in-memory SQLite, or a PostgreSQL schema of its own (dropped or emptied for
 * reuse on close). `upTo`: migrated only up to that migration (tests of the next one).
 */
export async function createTestDatabase(dialect: Dialect, upTo?: string): Promise<DbHandle> {
  if (dialect === 'sqlite') {
    const handle = await connectDb({ sqliteFile: ':memory:' })
    await migrateToLatest(handle, upTo)
    return handle
  }
  const url = process.env.TEST_DATABASE_URL
  if (!url) throw new Error('TEST_DATABASE_URL is not set')
  const reuse = REUSE && upTo === undefined
  const spare = reuse ? spareSchemas.pop() : undefined
  const schema = spare ?? `t_${randomBytes(6).toString('hex')}`
  const handle = await connectDb({ databaseUrl: url, pgSchema: schema, pgPoolSize: 5 })
  if (spare === undefined) await migrateToLatest(handle, upTo)
  const close = handle.close.bind(handle)
  return {
    ...handle,
    async close() {
      let kept = false
      if (reuse) {
        try {
          await emptySchema(handle, schema)
          kept = true
        } catch {
          // Left in use (a lock, a broken connection): dropped below like any other.
        }
      }
      if (kept) spareSchemas.push(schema)
      else await handle.db.schema.dropSchema(schema).ifExists().cascade().execute()
      await close()
    },
  }
}

/** Where a server's data lives: a SQLite file (or `:memory:`), or a PostgreSQL schema. */
export type StoreLocation =
  | { dialect: 'sqlite'; file: string }
  | { dialect: 'postgres'; url: string; schema: string }

/** Opens a store (creating the PostgreSQL schema on first use), migrated unless `migrate: false`. */
export async function openStore(
  store: StoreLocation,
  opts: { poolSize?: number; migrate?: boolean } = {},
): Promise<DbHandle> {
  const handle =
    store.dialect === 'sqlite'
      ? await connectDb({ sqliteFile: store.file })
      : await connectDb({
          databaseUrl: store.url,
          pgSchema: store.schema,
          pgPoolSize: opts.poolSize ?? 3,
        })
  if (opts.migrate !== false) {
    try {
      await migrateToLatest(handle)
    } catch (err) {
      await handle.close()
      throw err
    }
  }
  return handle
}

/** `DATABASE_URL` that makes a server process use the store (a PostgreSQL schema via search_path). */
export function storeDatabaseUrl(store: StoreLocation): string {
  if (store.dialect === 'sqlite') return `sqlite:${store.file}`
  const u = new URL(store.url)
  u.searchParams.set('options', `-c search_path=${store.schema}`)
  return u.toString()
}

/** Drops a PostgreSQL store's schema (no-op for SQLite: its file goes with its directory). */
export async function dropStore(store: StoreLocation): Promise<void> {
  if (store.dialect !== 'postgres') return
  const handle = await openStore(store, { migrate: false })
  try {
    await handle.db.schema.dropSchema(store.schema).ifExists().cascade().execute()
  } finally {
    await handle.close()
  }
}
