import { join } from 'node:path'
import type { Config } from '../config.ts'
import { connectPostgres } from './postgres/connect.ts'
import { ensurePrivateDir, preparePrivateSqliteFile } from './private-files.ts'
import type { Db, Dialect } from './schema.ts'
import { connectSqlite } from './sqlite/connect.ts'

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
  /**
   * SQLite: consecutive transactions share one commit (default true,
   * `AURION_SQLITE_GROUP_COMMIT`).
   */
  sqliteGroupCommit?: boolean | undefined
  /** SQLite: statement journals and temporary tables in memory (default) or in files. */
  sqliteTempStore?: 'memory' | 'file' | undefined
  /** PostgreSQL schema to use (created if missing); tests isolate themselves with it. */
  pgSchema?: string
  pgPoolSize?: number
}

/** The connection options of a configuration (server and CLI alike). */
export function connectOptionsOf(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'sqliteGroupCommit' | 'sqliteTempStore'>,
): ConnectOptions {
  return {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    sqliteGroupCommit: config.sqliteGroupCommit,
    sqliteTempStore: config.sqliteTempStore,
  }
}

/** Opens the configured database: PostgreSQL (db/postgres/) or SQLite (db/sqlite/). */
export async function connectDb(opts: ConnectOptions): Promise<DbHandle> {
  const url = opts.databaseUrl
  if (url !== undefined && /^postgres(ql)?:/.test(url)) return connectPostgres(url, opts)
  let file = opts.sqliteFile
  if (file === undefined && url !== undefined) file = url.replace(/^(sqlite|file):(\/\/)?/, '')
  if (file === undefined) {
    const dir = opts.dataDir ?? './data'
    ensurePrivateDir(dir)
    file = join(dir, 'aurion.db')
  }
  // It holds identity secrets and every conversation: owner only (0600), -wal and -shm alike.
  preparePrivateSqliteFile(file)
  return connectSqlite(file, {
    groupCommit: opts.sqliteGroupCommit,
    tempStore: opts.sqliteTempStore,
  })
}
