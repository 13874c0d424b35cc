import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import { describe, expect, it, vi } from 'vitest'
import { connectDb } from '../connect.ts'
import {
  countCommits,
  countReads,
  GatedWalSync,
  onRun,
  openGated as openGatedIn,
  open as openIn,
  type TestDriverOptions,
  turnEnded,
  useTempDir,
} from './driver-test-support.ts'
import { WalSync } from './wal-sync.ts'

const tempDir = useTempDir()
const open = (wal?: WalSync, opts?: TestDriverOptions) => openIn(tempDir(), wal, opts)
const openGated = (opts?: TestDriverOptions) => openGatedIn(tempDir(), opts)

describe('SQLite driver', () => {
  it('resolves a write only after the log sync, with the connection free for others meanwhile', async () => {
    const wal = new GatedWalSync(join(tempDir(), 'x.db-wal'))
    const { sqlite, db } = open(wal)
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
    const reads = countReads(sqlite)
    let rows: unknown
    const read = db
      .selectFrom('t')
      .select('id')
      .orderBy('id')
      .execute()
      .then((r) => {
        rows = r
      })
    // (its query has run; answered at once, it would be resolved by the end of this turn)
    await vi.waitFor(() => expect(reads()).toBe(1))
    await turnEnded()
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
    const wal = new WalSync(join(tempDir(), 'x.db-wal'))
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
    const again = new SQLite(join(tempDir(), 'x.db'))
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
    await turnEnded()
    expect(acknowledged).toBe(0)
    // …a reader included.
    const reads = countReads(sqlite)
    let seen: unknown
    const read = db
      .selectFrom('t')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => {
        seen = r.n
      })
    await vi.waitFor(() => expect(reads()).toBe(1))
    await turnEnded()
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
    const { db } = open(new WalSync(join(tempDir(), 'x.db-wal')))
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
    const { db } = open(new WalSync(join(tempDir(), 'x.db-wal')))
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

  it('commits a batch held open past its time bound, whoever waits', async () => {
    const { wal, sqlite, db, before } = await openGated({ groupCommitMaxMs: 0 })
    const commits = countCommits(sqlite)
    const txs = Array.from({ length: 4 }, (_, i) =>
      db.transaction().execute((trx) => trx.insertInto('t').values({ id: i, v: 'x' }).execute()),
    )
    await vi.waitFor(() => expect(wal.started - before).toBe(4))
    expect(commits()).toBe(4)
    wal.release()
    await Promise.all(txs)
    await db.destroy()
  })

  it('commits the shared transaction before one begun by hand (migrations)', async () => {
    const { db } = open(new WalSync(join(tempDir(), 'x.db-wal')))
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
    const file = await connectDb({ sqliteFile: join(tempDir(), 'aurion.db') })
    const mem = await connectDb({ sqliteFile: ':memory:' })
    const mode = async (h: typeof file) =>
      (await sql<{ synchronous: number }>`pragma synchronous`.execute(h.db)).rows[0]?.synchronous
    expect(await mode(file)).toBe(1)
    expect(await mode(mem)).toBe(2)
    await file.close()
    await mem.close()
  })
})
