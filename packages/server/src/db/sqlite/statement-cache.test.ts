import SQLite from 'better-sqlite3'
import { Kysely, sql } from 'kysely'
import { describe, expect, it, vi } from 'vitest'
import { createSqliteDialect } from './dialect.ts'

interface Db {
  t: { id: number; v: string }
}

describe('SQLite statement cache', () => {
  it('keeps the most recently used statements when the cache is full', async () => {
    const sqlite = new SQLite(':memory:')
    const db = new Kysely<Db>({ dialect: createSqliteDialect(sqlite, { statementCacheSize: 4 }) })
    await sql`create table t (id integer primary key, v text)`.execute(db)
    const prepare = vi.spyOn(sqlite, 'prepare')
    // A different SQL text each: `select 1 as "x" from "t"`, `select 2 …`
    const q = (n: number) =>
      db
        .selectFrom('t')
        .select(sql<number>`${sql.raw(String(n))}`.as('x'))
        .execute()
    const prepared = () => prepare.mock.calls.length
    for (const n of [1, 2, 3, 4]) await q(n)
    expect(prepared()).toBe(4)
    await q(1) // the oldest, used again: now the most recent
    await q(5) // evicts the least recently used: 2
    expect(prepared()).toBe(5)
    await q(1)
    expect(prepared()).toBe(5)
    await q(2)
    expect(prepared()).toBe(6)
    await db.destroy()
  })

  it('reuses prepared statements, but never one that is still streaming', async () => {
    const sqlite = new SQLite(':memory:')
    const db = new Kysely<Db>({ dialect: createSqliteDialect(sqlite) })
    await sql`create table t (id integer primary key, v text)`.execute(db)
    await db
      .insertInto('t')
      .values([
        { id: 1, v: 'a' },
        { id: 2, v: 'b' },
      ])
      .execute()
    const prepare = vi.spyOn(sqlite, 'prepare')
    const q = () => db.selectFrom('t').selectAll().where('id', '>', 0).orderBy('id')
    await q().execute()
    await q().execute()
    await q().execute()
    expect(prepare).toHaveBeenCalledTimes(1)
    // A stream broken off early leaves its statement busy: the next run gets a fresh one.
    for await (const r of q().stream()) {
      expect(r.id).toBe(1)
      break
    }
    expect(await q().execute()).toHaveLength(2)
    const seen: number[] = []
    for await (const r of q().stream()) seen.push(r.id)
    expect(seen).toEqual([1, 2])
    await db.destroy()
  })
})
