import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, sql } from 'kysely'
import { afterEach, beforeEach, vi } from 'vitest'
import { createSqliteDialect } from './dialect.ts'
import { WalSync } from './wal-sync.ts'

// Shared by the driver's tests: a database whose log syncs the test releases, and spies on the
// statements SQLite runs.

/** Options the tests give the driver. */
export interface TestDriverOptions {
  groupCommit?: boolean
  groupCommitMaxMs?: number
}

export interface Db {
  t: { id: number; v: string }
}

/** A fresh directory for each test of the calling file. */
export function useTempDir(): () => string {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aurion-sqlite-driver-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))
  return () => dir
}

/** A WalSync whose syncs finish only when the test says so. */
export class GatedWalSync extends WalSync {
  gates: (() => void)[] = []
  started = 0
  /** While true, syncs finish at once (setting up tables). */
  open = true
  override sync(): Promise<void> {
    this.started++
    if (this.open) return Promise.resolve()
    return new Promise((resolve) => this.gates.push(resolve))
  }
  release() {
    for (const g of this.gates.splice(0)) g()
  }
}

type Listeners = { run: ((source: string) => void)[]; read: ((source: string) => void)[] }
const watched = new WeakMap<SQLite.Database, Listeners>()

/** One spy on `prepare` per database, telling every listener what runs and what reads. */
function watch(sqlite: SQLite.Database): Listeners {
  const known = watched.get(sqlite)
  if (known) return known
  const listeners: Listeners = { run: [], read: [] }
  watched.set(sqlite, listeners)
  const prepare = sqlite.prepare.bind(sqlite)
  vi.spyOn(sqlite, 'prepare').mockImplementation((source: string) => {
    const stmt = prepare(source)
    const run = stmt.run.bind(stmt)
    stmt.run = (...args: unknown[]) => {
      for (const seen of listeners.run) seen(source)
      return run(...args)
    }
    const all = stmt.all.bind(stmt)
    stmt.all = (...args: unknown[]) => {
      for (const seen of listeners.read) seen(source)
      return all(...args)
    }
    return stmt
  })
  return listeners
}

/** Calls `seen` with the SQL of every statement the database runs from now on. */
export function onRun(sqlite: SQLite.Database, seen: (source: string) => void): void {
  watch(sqlite).run.push(seen)
}

/** How many queries (`select`s) the database has answered from now on. */
export function countReads(sqlite: SQLite.Database): () => number {
  let n = 0
  watch(sqlite).read.push(() => n++)
  return () => n
}

/**
 * Resolves after the current turn of the event loop: by then every promise chain that waits on
 * nothing (no I/O, no timer) has settled. The bound for "not acknowledged yet" after the query
 * or commit it would follow has been seen: no sleep.
 */
export const turnEnded = () => new Promise<void>((r) => setImmediate(r))

/** How many times `commit` runs on the database from now on. */
export function countCommits(sqlite: SQLite.Database): () => number {
  let n = 0
  onRun(sqlite, (source) => {
    if (/^\s*commit\b/i.test(source)) n++
  })
  return () => n
}

/** A table `t` on a driver whose log syncs wait for the test (from now on). */
export async function openGated(dir: string, opts: TestDriverOptions = {}) {
  const wal = new GatedWalSync(join(dir, 'x.db-wal'))
  const { sqlite, db } = open(dir, wal, opts)
  await sql`create table t (id integer primary key, v text)`.execute(db)
  await new Promise((r) => setImmediate(r))
  wal.open = false
  return { wal, sqlite, db, before: wal.started }
}

export function open(dir: string, wal?: WalSync, opts: TestDriverOptions = {}) {
  const sqlite = new SQLite(join(dir, 'x.db'))
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  // Commits are counted: no batch cut short because a loaded machine stalled it past 3 ms.
  const db = new Kysely<Db>({
    dialect: createSqliteDialect(sqlite, { wal, groupCommitMaxMs: 10_000, ...opts }),
  })
  return { sqlite, db }
}

/** Every statement run on `sqlite` from now on, in order, without its parameters and quotes. */
export function recordStatements(sqlite: SQLite.Database): string[] {
  const statements: string[] = []
  onRun(sqlite, (source) => statements.push(source.replace(/ \(.*$/, '').replace(/"/g, '')))
  return statements
}

/** Counts the commits of every SQLite database (connectDb keeps its own to itself) until stopped. */
export function countEveryCommit() {
  let n = 0
  const prepare = SQLite.prototype.prepare
  const spy = vi.spyOn(SQLite.prototype, 'prepare').mockImplementation(function (
    this: SQLite.Database,
    source: string,
  ) {
    const stmt: SQLite.Statement<unknown[]> = prepare.call(this, source)
    if (/^\s*commit\b/i.test(source)) {
      const run = stmt.run.bind(stmt)
      stmt.run = (...args: Parameters<typeof run>) => {
        n++
        return run(...args)
      }
    }
    return stmt
  })
  return { count: () => n, stop: () => spy.mockRestore() }
}
