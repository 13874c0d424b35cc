import type SQLite from 'better-sqlite3'
import { type Driver, SqliteDialect } from 'kysely'
import { DurableSqliteDriver, type DurableSqliteOptions } from './durable-driver.ts'

/** Options of {@link createSqliteDialect}. */
export type SqliteDialectOptions = DurableSqliteOptions

/** Kysely dialect for a `better-sqlite3` database (see {@link DurableSqliteDriver}). */
export function createSqliteDialect(
  sqlite: SQLite.Database,
  opts: SqliteDialectOptions = {},
): SqliteDialect {
  return new (class extends SqliteDialect {
    override createDriver(): Driver {
      return new DurableSqliteDriver(sqlite, opts)
    }
  })({ database: sqlite })
}
