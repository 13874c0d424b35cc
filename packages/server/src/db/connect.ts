import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely } from 'kysely'
import pg from 'pg'
import { SchemaScopedPostgresDialect } from './pg-introspector.ts'
import type { Database, Db, Dialect } from './schema.ts'
import { createSqliteDialect, WalSync } from './sqlite-driver.ts'
import { WalCheckpointer } from './wal-checkpointer.ts'

export interface DbHandle {
  db: Db
  dialect: Dialect
  /** Cheap round trip used by readiness checks. */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface ConnectOptions {
  /** `postgres://…`; `sqlite:`/`file:` URLs or undefined → SQLite. */
  databaseUrl?: string | undefined
  /** Directory of the default SQLite file `aurion.db`. */
  dataDir?: string
  /** SQLite file path or `:memory:`; overrides dataDir. */
  sqliteFile?: string
  /** PostgreSQL schema to use (created if missing); tests isolate themselves with it. */
  pgSchema?: string
  pgPoolSize?: number
}

// BIGINT counts and NUMERICs come back as strings by default; our counters fit in a double.
pg.types.setTypeParser(20, (v) => Number(v))

/** Opens the configured database. SQLite runs in WAL mode with foreign keys and a busy timeout. */
export async function connectDb(opts: ConnectOptions): Promise<DbHandle> {
  const url = opts.databaseUrl
  if (url !== undefined && /^postgres(ql)?:/.test(url)) return connectPostgres(url, opts)
  let file = opts.sqliteFile
  if (file === undefined && url !== undefined) file = url.replace(/^(sqlite|file):(\/\/)?/, '')
  if (file === undefined) {
    const dir = opts.dataDir ?? './data'
    mkdirSync(dir, { recursive: true })
    file = join(dir, 'aurion.db')
  }
  return connectSqlite(file)
}

function connectSqlite(file: string): DbHandle {
  const sqlite = new SQLite(file)
  const wal = sqlite.pragma('journal_mode = WAL', { simple: true }) === 'wal'
  // A commit is on disk before we acknowledge it to a client. In WAL mode the driver syncs the
  // log after every write, off the event loop and shared by concurrent writers (group commit);
  // otherwise SQLite syncs at each commit (FULL).
  sqlite.pragma(wal ? 'synchronous = NORMAL' : 'synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  let checkpointer: WalCheckpointer | undefined
  if (wal) {
    // Checkpoints run on a worker thread (see WalCheckpointer), not inside our commits.
    const autocheckpoint = sqlite.pragma('wal_autocheckpoint', { simple: true }) as number
    sqlite.pragma('wal_autocheckpoint = 0')
    checkpointer = new WalCheckpointer(sqlite.name, {
      onFailure(err) {
        if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${autocheckpoint}`)
        process.emitWarning(`${err.message}; SQLite checkpoints on its own again`)
      },
    })
  }
  const db = new Kysely<Database>({
    dialect: createSqliteDialect(sqlite, {
      wal: wal ? new WalSync(`${sqlite.name}-wal`) : undefined,
      checkpointer,
    }),
  })
  return {
    db,
    dialect: 'sqlite',
    async ping() {
      sqlite.prepare('select 1').get()
    },
    async close() {
      await db.destroy()
    },
  }
}

async function connectPostgres(url: string, opts: ConnectOptions): Promise<DbHandle> {
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
