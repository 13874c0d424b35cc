import { Kysely } from 'kysely'
import pg from 'pg'
import type { DbHandle } from '../connect.ts'
import type { Database } from '../schema.ts'
import { SchemaScopedPostgresDialect } from './introspector.ts'

export interface PostgresConnectOptions {
  /** Schema to use (created if missing); tests isolate themselves with it. */
  pgSchema?: string | undefined
  pgPoolSize?: number | undefined
}

// BIGINT counts and NUMERICs come back as strings by default; our counters fit in a double.
pg.types.setTypeParser(20, (v) => Number(v))

/** Opens a pool on `url` (`postgres://…`), in `pgSchema` when given. */
export async function connectPostgres(
  url: string,
  opts: PostgresConnectOptions = {},
): Promise<DbHandle> {
  const schema = opts.pgSchema
  if (schema !== undefined) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name ${schema}`)
    const setup = new pg.Client({ connectionString: url })
    await setup.connect()
    try {
      await setup.query(`create schema if not exists ${schema}`)
    } finally {
      await setup.end()
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.pgPoolSize ?? 10,
    connectionTimeoutMillis: 5000,
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  })
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => {})
  // So must a checked-out one losing it between two statements (inside a transaction): its next
  // statement fails ("not queryable", answered 503) and the pool discards it on release.
  pool.on('connect', (client) => client.on('error', () => {}))
  const db = new Kysely<Database>({ dialect: new SchemaScopedPostgresDialect({ pool }) })
  return {
    db,
    dialect: 'postgres',
    async ping() {
      await pool.query('select 1')
    },
    async close() {
      await db.destroy()
    },
  }
}
