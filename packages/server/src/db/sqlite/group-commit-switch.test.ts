import { join } from 'node:path'
import { sql } from 'kysely'
import { describe, expect, it, vi } from 'vitest'
import { connectDb } from '../connect.ts'
import { countEveryCommit, openGated, recordStatements, useTempDir } from './driver-test-support.ts'

const tempDir = useTempDir()

describe('SQLite driver with group commit off', () => {
  it('commits each transaction alone, in a transaction of its own, acknowledged once durable', async () => {
    const { wal, sqlite, db, before } = await openGated(tempDir(), { groupCommit: false })
    const statements = recordStatements(sqlite)
    let acknowledged = 0
    const insert = (id: number) =>
      db
        .transaction()
        .execute((trx) => trx.insertInto('t').values({ id, v: 'x' }).execute())
        .then(() => {
          acknowledged++
        })
    // Queued for the connection together: with group commit they would share one commit.
    const txs = [insert(1), insert(2), insert(3)]
    await vi.waitFor(() => expect(wal.started - before).toBe(3))
    expect(statements).toEqual([
      'begin',
      'insert into t',
      'commit',
      'begin',
      'insert into t',
      'commit',
      'begin',
      'insert into t',
      'commit',
    ])
    expect(acknowledged).toBe(0)
    wal.release()
    await Promise.all(txs)
    expect(acknowledged).toBe(3)
    await db.destroy()
  })

  it('rolls a failed transaction back on its own, with nothing to sync', async () => {
    const { wal, sqlite, db, before } = await openGated(tempDir(), { groupCommit: false })
    const statements = recordStatements(sqlite)
    const failed = db.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ id: 1, v: 'a' }).execute()
      throw new Error('abort')
    })
    const ok = db
      .transaction()
      .execute((trx) => trx.insertInto('t').values({ id: 2, v: 'b' }).execute())
    await expect(failed).rejects.toThrow('abort')
    await vi.waitFor(() => expect(wal.started - before).toBe(1))
    expect(statements).toEqual([
      'begin',
      'insert into t',
      'rollback',
      'begin',
      'insert into t',
      'commit',
    ])
    wal.release()
    await ok
    expect(await db.selectFrom('t').select('id').execute()).toEqual([{ id: 2 }])
    await db.destroy()
  })

  it('is what connectDb builds with sqliteGroupCommit false (by default commits are shared)', async () => {
    const commitsWith = async (sqliteGroupCommit: boolean | undefined) => {
      const file = join(tempDir(), `g-${sqliteGroupCommit}.db`)
      const h = await connectDb({ sqliteFile: file, sqliteGroupCommit })
      await sql`create table t (id integer primary key, v text)`.execute(h.db)
      const commits = countEveryCommit()
      try {
        await Promise.all(
          Array.from({ length: 5 }, (_, id) =>
            h.db
              .transaction()
              .execute((trx) => sql`insert into t (id, v) values (${id}, 'x')`.execute(trx)),
          ),
        )
      } finally {
        commits.stop()
        await h.close()
      }
      return commits.count()
    }
    expect(await commitsWith(false)).toBe(5)
    // One, unless a loaded machine stalls the batch past its 3 ms.
    expect(await commitsWith(undefined)).toBeLessThan(5)
  })
})
