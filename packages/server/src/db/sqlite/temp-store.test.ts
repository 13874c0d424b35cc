import { join } from 'node:path'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { connectDb } from '../connect.ts'
import { useTempDir } from './driver-test-support.ts'

const tempDir = useTempDir()

/** PRAGMA temp_store of a database opened the way the server opens it: 1 file, 2 memory. */
async function tempStoreOf(tempStore: 'memory' | 'file' | undefined): Promise<number> {
  const h = await connectDb({
    sqliteFile: join(tempDir(), `t-${tempStore}.db`),
    sqliteTempStore: tempStore,
  })
  try {
    const { rows } = await sql<{ temp_store: number }>`pragma temp_store`.execute(h.db)
    return Number(rows[0]?.temp_store)
  } finally {
    await h.close()
  }
}

describe('AURION_SQLITE_TEMP_STORE', () => {
  it('keeps statement journals and temporary tables in memory unless told file', async () => {
    expect(await tempStoreOf(undefined)).toBe(2)
    expect(await tempStoreOf('memory')).toBe(2)
    expect(await tempStoreOf('file')).toBe(1)
  })

  it('rolls back a failed transaction of a shared commit alone, its journal in memory', async () => {
    const h = await connectDb({ sqliteFile: join(tempDir(), 'rollback.db') })
    try {
      await sql`create table t (id integer primary key, body text not null)`.execute(h.db)
      const big = 'x'.repeat(3000)
      // Each transaction changes far more than the 64 KiB a sub-journal keeps before spilling.
      const write = (from: number, fail: boolean) =>
        h.db.transaction().execute(async (trx) => {
          for (let i = from; i < from + 200; i++)
            await trx
              .insertInto('t' as never)
              .values({ id: i, body: big } as never)
              .execute()
          if (fail) throw new Error('rolled back')
        })
      const results = await Promise.allSettled([
        write(0, false),
        write(1000, true),
        write(2000, false),
      ])
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
      const { rows } = await sql<{ n: number }>`select count(*) as n from t`.execute(h.db)
      expect(Number(rows[0]?.n)).toBe(400)
    } finally {
      await h.close()
    }
  })
})
