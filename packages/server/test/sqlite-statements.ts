import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import { afterAll, beforeAll } from 'vitest'
import type { Db } from '../src/db/schema.ts'

/**
 * Records every SQLite statement run while the suite runs, by SQL text, with the parameters of
 * its last run (better-sqlite3's `prepare` wrapped for the suite).
 */
export function captureSqliteStatements(): Map<string, unknown[]> {
  const ran = new Map<string, unknown[]>()
  const prepare = SQLite.prototype.prepare
  beforeAll(() => {
    SQLite.prototype.prepare = function (this: SQLite.Database, source: string) {
      const stmt = prepare.call(this, source)
      for (const method of ['run', 'get', 'all', 'iterate'] as const) {
        const original = stmt[method] as (...args: unknown[]) => unknown
        ;(stmt as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
          ran.set(source, args.length === 1 && Array.isArray(args[0]) ? args[0] : args)
          return original.apply(stmt, args)
        }
      }
      return stmt
    } as typeof SQLite.prototype.prepare
  })
  afterAll(() => {
    SQLite.prototype.prepare = prepare
  })
  return ran
}

/**
 * The statements SQLite compiles again every time they run: those comparing a column with a bound
 * parameter (`"status" = ?`) where a partial index of the table compares that column with a
 * constant (`where status = 'pending'`). SQLite then re-plans at each bind, in case the value
 * makes the index usable (see migration 0032). A constant written into the SQL (`sql.lit`) is
 * planned once.
 */
export async function recompiledAtEachRun(db: Db, statements: Iterable<string>): Promise<string[]> {
  const { rows } = await sql<{ tbl_name: string; sql: string }>`
    select tbl_name, sql from sqlite_master where type = 'index' and sql like '% where %'`.execute(
    db,
  )
  const constants: { table: string; column: string }[] = []
  for (const index of rows) {
    const condition = index.sql.slice(index.sql.toLowerCase().lastIndexOf(' where ') + 7)
    for (const m of condition.matchAll(/"?(\w+)"?\s*=\s*'/g))
      constants.push({ table: index.tbl_name, column: m[1]! })
  }
  const bad: string[] = []
  for (const source of statements) {
    // Conditions only (from the first `where` on): an update's `set "status" = ?` is no term.
    const at = source.search(/\bwhere\b/i)
    const conditions = at < 0 ? '' : source.slice(at)
    for (const { table, column } of constants)
      if (
        new RegExp(`"${table}"|\\b${table}\\b`).test(source) &&
        new RegExp(`(^|[\\s.(])"?${column}"?\\s*=\\s*\\?`).test(conditions)
      )
        bad.push(`${table}.${column} = ? in: ${source.replace(/\s+/g, ' ').slice(0, 200)}`)
  }
  return bad
}
