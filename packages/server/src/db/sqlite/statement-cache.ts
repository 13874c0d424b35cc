import type SQLite from 'better-sqlite3'
import { Lru } from '../../lru.ts'

/** What Kysely's SQLite driver uses of a `better-sqlite3` database. */
export interface StatementSource {
  prepare(sql: string): SQLite.Statement
  close(): void
}

/**
 * A `better-sqlite3` database whose `prepare` returns a cached statement for SQL it has seen
 * (least recently used ones dropped past `size`). A statement still iterating (a stream) is
 * never handed out twice.
 */
export function cachedStatements(sqlite: SQLite.Database, size: number): StatementSource {
  const cache = new Lru<string, SQLite.Statement>(size)
  return {
    close() {
      cache.clear()
      sqlite.close()
    },
    prepare(sql: string): SQLite.Statement {
      const hit = cache.get(sql)
      if (hit !== undefined && !hit.busy) return hit
      const stmt = sqlite.prepare(sql)
      if (hit === undefined) cache.set(sql, stmt)
      return stmt
    },
  }
}
