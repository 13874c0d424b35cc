import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { connectDb } from './connect.ts'
import { createSqliteDialect, WalSync } from './sqlite-driver.ts'

interface Db {
  t: { id: number; v: string }
}

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aurion-sqlite-driver-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** A WalSync whose syncs finish only when the test says so. */
class GatedWalSync extends WalSync {
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

/** Calls `seen` with the SQL of every statement the database runs from now on. */
function onRun(sqlite: SQLite.Database, seen: (source: string) => void): void {
  const prepare = sqlite.prepare.bind(sqlite)
  vi.spyOn(sqlite, 'prepare').mockImplementation((source: string) => {
    const stmt = prepare(source)
    const run = stmt.run.bind(stmt)
    stmt.run = (...args: unknown[]) => {
      seen(source)
      return run(...args)
    }
    return stmt
  })
}

/** How many times `commit` runs on the database from now on. */
function countCommits(sqlite: SQLite.Database): () => number {
  let n = 0
  onRun(sqlite, (source) => {
    if (/^\s*commit\b/i.test(source)) n++
  })
  return () => n
}

/** A table `t` on a driver whose log syncs wait for the test (from now on). */
async function openGated() {
  const wal = new GatedWalSync(join(dir, 'x.db-wal'))
  const { sqlite, db } = open(wal)
  await sql`create table t (id integer primary key, v text)`.execute(db)
  await new Promise((r) => setImmediate(r))
  wal.open = false
  return { wal, sqlite, db, before: wal.started }
}

function open(wal?: WalSync) {
  const sqlite = new SQLite(join(dir, 'x.db'))
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  const db = new Kysely<Db>({ dialect: createSqliteDialect(sqlite, { wal }) })
  return { sqlite, db }
}

describe('WalSync', () => {
  it('shares one sync among callers that arrive while another runs, and none starts early', async () => {
    const file = join(dir, 'log')
    new SQLite(file).close()
    const wal = new WalSync(file)
    const first = wal.sync()
    // These arrive while the first sync runs: they need one that starts after them, and share it.
    const later = Array.from({ length: 20 }, () => wal.sync())
    await first
    await Promise.all(later)
    expect(wal.syncs).toBe(2)
    await wal.sync()
    expect(wal.syncs).toBe(3)
    await wal.close()
  })

  it('still syncs (or finds everything checkpointed) after it was closed', async () => {
    const file = join(dir, 'log')
    new SQLite(file).close()
    const wal = new WalSync(file)
    await wal.sync()
    await wal.close()
    await expect(wal.sync()).resolves.toBeUndefined()
    rmSync(file)
    await expect(wal.sync()).resolves.toBeUndefined()
  })

  it('rejects when the log cannot be synced (the write is then not acknowledged)', async () => {
    const wal = new WalSync(join(dir, 'missing-wal'))
    await expect(wal.sync()).rejects.toMatchObject({ code: 'ENOENT' })
  })
})

describe('SQLite driver', () => {
  it('resolves a write only after the log sync, with the connection free for others meanwhile', async () => {
    const wal = new GatedWalSync(join(dir, 'x.db-wal'))
    const { db } = open(wal)
    await sql`create table t (id integer primary key, v text)`.execute(db)
    wal.open = false
    const setup = wal.started

    let firstDone = false
    const first = db
      .insertInto('t')
      .values({ id: 1, v: 'a' })
      .execute()
      .then(() => {
        firstDone = true
      })
    const second = db
      .transaction()
      .execute((trx) => trx.insertInto('t').values({ id: 2, v: 'b' }).execute())
    // Both committed (the second did not wait for the first's sync), neither acknowledged yet.
    await vi.waitFor(() => expect(wal.started - setup).toBe(2))
    expect(firstDone).toBe(false)
    // A reader sees nothing that is not yet durable: it waits for the sync in flight…
    let rows: unknown
    const read = db
      .selectFrom('t')
      .select('id')
      .orderBy('id')
      .execute()
      .then((r) => {
        rows = r
      })
    await new Promise((r) => setTimeout(r, 50))
    expect(rows).toBeUndefined()
    // …without starting one of its own.
    expect(wal.started - setup).toBe(2)
    wal.release()
    await Promise.all([first, second, read])
    expect(firstDone).toBe(true)
    expect(rows).toEqual([{ id: 1 }, { id: 2 }])
    await db.destroy()
  })

  it('does not wait for a sync after a transaction that only read or rolled back', async () => {
    const { wal, db, before } = await openGated()
    await db.transaction().execute((trx) => trx.selectFrom('t').selectAll().execute())
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ id: 1, v: 'a' }).execute()
        throw new Error('abort')
      }),
    ).rejects.toThrow('abort')
    expect(wal.started - before).toBe(0)
    expect(await db.selectFrom('t').selectAll().execute()).toEqual([])
    await db.destroy()
  })

  it('group-commits: many concurrent writes need far fewer syncs than writes', async () => {
    const wal = new WalSync(join(dir, 'x.db-wal'))
    const { db } = open(wal)
    await sql`create table t (id integer primary key, v text)`.execute(db)
    const before = wal.syncs
    const writes = 200
    await Promise.all(
      Array.from({ length: writes }, (_, i) =>
        db.transaction().execute((trx) =>
          trx
            .insertInto('t')
            .values({ id: i, v: `v${i}` })
            .execute(),
        ),
      ),
    )
    expect(wal.syncs - before).toBeGreaterThan(0)
    expect(wal.syncs - before).toBeLessThan(writes / 4)
    await db.destroy()
    // Everything is in the file for the next process.
    const again = new SQLite(join(dir, 'x.db'))
    expect((again.prepare('select count(*) as n from t').get() as { n: number }).n).toBe(writes)
    again.close()
  })

  it('shares one SQLite commit among transactions queued for the connection', async () => {
    const { wal, sqlite, db, before } = await openGated()
    const commits = countCommits(sqlite)
    let acknowledged = 0
    const txs = Array.from({ length: 10 }, (_, i) =>
      db
        .transaction()
        .execute((trx) =>
          trx
            .insertInto('t')
            .values({ id: i, v: `v${i}` })
            .execute(),
        )
        .then(() => {
          acknowledged++
        }),
    )
    // One commit, one log sync for all ten; nobody acknowledged before it is durable…
    await vi.waitFor(() => expect(wal.started - before).toBe(1))
    expect(commits()).toBe(1)
    await new Promise((r) => setTimeout(r, 20))
    expect(acknowledged).toBe(0)
    // …a reader included.
    let seen: unknown
    const read = db
      .selectFrom('t')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => {
        seen = r.n
      })
    await new Promise((r) => setTimeout(r, 20))
    expect(seen).toBeUndefined()
    wal.release()
    await Promise.all([...txs, read])
    expect(acknowledged).toBe(10)
    expect(seen).toBe(10)
    await db.destroy()
  })

  it('keeps a commit open until the event loop turn ends, for transactions that begin later in it', async () => {
    const { wal, sqlite, db, before } = await openGated()
    const statements: string[] = []
    onRun(sqlite, (source) => statements.push(source.replace(/ \(.*$/, '').replace(/"/g, '')))
    const insert = (id: number) =>
      db.transaction().execute((trx) => trx.insertInto('t').values({ id, v: 'x' }).execute())
    const first = insert(1)
    // The second begins after the first let go of the connection (nobody was waiting), but in
    // the same turn of the event loop (as requests read together from their sockets do).
    const second = (async () => {
      for (let i = 0; i < 50; i++) await Promise.resolve()
      return insert(2)
    })()
    await vi.waitFor(() => expect(wal.started - before).toBe(1))
    expect(statements).toEqual([
      'begin',
      'savepoint aurion_tx',
      'insert into t',
      'release aurion_tx',
      'savepoint aurion_tx',
      'insert into t',
      'release aurion_tx',
      'commit',
    ])
    wal.release()
    await Promise.all([first, second])
    // A transaction in a later turn gets a commit of its own.
    wal.open = true
    await insert(3)
    expect(statements.slice(8)).toEqual([
      'begin',
      'savepoint aurion_tx',
      'insert into t',
      'release aurion_tx',
      'commit',
    ])
    await db.destroy()
  })

  it('rolls back a failed transaction alone, the others of its commit go on', async () => {
    const { db } = open(new WalSync(join(dir, 'x.db-wal')))
    await sql`create table t (id integer primary key, v text)`.execute(db)
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        db.transaction().execute(async (trx) => {
          await trx
            .insertInto('t')
            .values({ id: i, v: `v${i}` })
            .execute()
          if (i % 2 === 1) throw new Error(`abort ${i}`)
          // A constraint error caught inside its transaction leaves that transaction usable.
          await trx
            .insertInto('t')
            .values({ id: i, v: 'duplicate' })
            .execute()
            .catch(() => {})
          await trx
            .insertInto('t')
            .values({ id: 100 + i, v: 'after' })
            .execute()
        }),
      ),
    )
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
    ])
    const rows = await db.selectFrom('t').select('id').orderBy('id').execute()
    expect(rows.map((r) => r.id)).toEqual([0, 2, 4, 100, 102, 104])
    await db.destroy()
  })

  it('fails every transaction of a commit that SQLite rolled back as a whole', async () => {
    const { db } = open(new WalSync(join(dir, 'x.db-wal')))
    await sql`create table t (id integer primary key, v text)`.execute(db)
    await sql`create table poison (id integer primary key)`.execute(db)
    // RAISE(ROLLBACK) ends the whole SQLite transaction, like a full disk would.
    await sql`create trigger poison_all after insert on poison begin select raise(rollback, 'poisoned'); end`.execute(
      db,
    )
    const outcomes = await Promise.allSettled([
      db.transaction().execute((trx) => trx.insertInto('t').values({ id: 1, v: 'a' }).execute()),
      db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ id: 2, v: 'b' }).execute()
        await sql`insert into poison (id) values (1)`.execute(trx)
      }),
      db.transaction().execute((trx) => trx.insertInto('t').values({ id: 3, v: 'c' }).execute()),
    ])
    // The first shared the rolled-back transaction: it is not stored, so it must not succeed.
    expect(outcomes[0]).toMatchObject({ status: 'rejected', reason: { message: 'poisoned' } })
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { message: 'poisoned' } })
    expect(outcomes[2].status).toBe('fulfilled')
    const rows = await db.selectFrom('t').select('id').orderBy('id').execute()
    expect(rows.map((r) => r.id)).toEqual([3])
    await db.destroy()
  })

  it('caps how many transactions share a commit', async () => {
    const { wal, db, before } = await openGated()
    const txs = Array.from({ length: 40 }, (_, i) =>
      db.transaction().execute((trx) => trx.insertInto('t').values({ id: i, v: 'x' }).execute()),
    )
    await vi.waitFor(() => expect(wal.started - before).toBeGreaterThanOrEqual(3))
    wal.open = true
    wal.release()
    await Promise.all(txs)
    expect(await db.selectFrom('t').select('id').execute()).toHaveLength(40)
    await db.destroy()
  })

  it('commits the shared transaction before one begun by hand (migrations)', async () => {
    const { db } = open(new WalSync(join(dir, 'x.db-wal')))
    await sql`create table t (id integer primary key, v text)`.execute(db)
    const tx = db
      .transaction()
      .execute((trx) => trx.insertInto('t').values({ id: 1, v: 'a' }).execute())
    const byHand = (async () => {
      await sql`begin immediate`.execute(db)
      await db.insertInto('t').values({ id: 2, v: 'b' }).execute()
      await sql`commit`.execute(db)
    })()
    await Promise.all([tx, byHand])
    const rows = await db.selectFrom('t').select('id').orderBy('id').execute()
    expect(rows.map((r) => r.id)).toEqual([1, 2])
    await db.destroy()
  })

  it('connectDb uses it for files (WAL, synchronous NORMAL) but not for :memory:', async () => {
    const file = await connectDb({ sqliteFile: join(dir, 'aurion.db') })
    const mem = await connectDb({ sqliteFile: ':memory:' })
    const mode = async (h: typeof file) =>
      (await sql<{ synchronous: number }>`pragma synchronous`.execute(h.db)).rows[0]?.synchronous
    expect(await mode(file)).toBe(1)
    expect(await mode(mem)).toBe(2)
    await file.close()
    await mem.close()
  })

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
    const { sqlite, db } = open()
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
