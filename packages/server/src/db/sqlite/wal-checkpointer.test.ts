import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { connectDb } from '../connect.ts'
import { WalCheckpointer } from './wal-checkpointer.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aurion-checkpointer-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10))
  expect(cond()).toBe(true)
}

/** A WAL database whose own connection never checkpoints, like connectDb's. */
function walDb(file: string) {
  const db = new SQLite(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('wal_autocheckpoint = 0')
  db.exec('create table t (id integer primary key, body text not null)')
  return db
}

describe('WalCheckpointer', () => {
  it('checkpoints from its worker while the writer writes, and the log starts over', async () => {
    const file = join(dir, 'a.db')
    const db = walDb(file)
    const insert = db.prepare('insert into t (body) values (?)')
    const body = 'x'.repeat(3000)
    const onFailure = vi.fn()
    const cp = new WalCheckpointer(file, { everyCommits: 50, onFailure })
    let finished = 0
    let rows = 0
    // At least five checkpoints (the worker needs a moment to start) over 2,000 commits; stop
    // right after a final step.
    for (;;) {
      insert.run(body)
      rows++
      if (cp.committed()) {
        // The driver holds its statements back meanwhile; so does this loop.
        await cp.finish()
        finished++
        if (rows >= 2000 && finished >= 5) break
      }
      // Writes go on while the worker's bulk step runs, as under steady load.
      await new Promise((r) => setImmediate(r))
    }
    // The next write starts the log over: it then holds that write's frames only. Without the
    // final step it would still hold every frame since the first commit.
    insert.run(body)
    rows++
    const [log] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[]
    expect(log!.log).toBeLessThan(10)
    await cp.close()
    expect(onFailure).not.toHaveBeenCalled()
    db.close()
    const again = new SQLite(file, { readonly: true })
    expect((again.prepare('select count(*) as n from t').get() as { n: number }).n).toBe(rows)
    again.close()
  })

  it('starts no worker before the first checkpoint is due', async () => {
    const file = join(dir, 'a.db')
    const db = walDb(file)
    const cp = new WalCheckpointer(file, { everyCommits: 100, onFailure: vi.fn() })
    for (let i = 0; i < 99; i++) expect(cp.committed()).toBe(false)
    await cp.close()
    expect(cp.checkpoints).toBe(0)
    db.close()
  })

  it('reports a worker that cannot checkpoint, once, and stops', async () => {
    const onFailure = vi.fn()
    const cp = new WalCheckpointer(join(dir, 'missing.db'), { everyCommits: 1, onFailure })
    // The failure terminates the worker; its exit (handled before terminate() resolves) must
    // not be reported a second time.
    const exits: Promise<number>[] = []
    const terminate = Worker.prototype.terminate
    const spy = vi.spyOn(Worker.prototype, 'terminate').mockImplementation(function (this: Worker) {
      const exited = terminate.call(this)
      exits.push(exited)
      return exited
    })
    cp.committed()
    await until(() => onFailure.mock.calls.length > 0)
    expect(cp.committed()).toBe(false)
    expect(cp.committed()).toBe(false)
    await cp.finish()
    expect(exits).toHaveLength(1)
    await Promise.all(exits)
    spy.mockRestore()
    expect(onFailure).toHaveBeenCalledTimes(1)
    expect(String(onFailure.mock.calls[0]![0])).toMatch(/checkpoint/)
    await cp.close()
  })

  it('connectDb checkpoints files off the event loop; data survives close and reopen', async () => {
    const file = join(dir, 'aurion.db')
    const h = await connectDb({ sqliteFile: file })
    const auto = async () =>
      (await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(h.db)).rows[0]
        ?.wal_autocheckpoint
    expect(await auto()).toBe(0)
    await sql`create table t (id integer primary key, body text not null)`.execute(h.db)
    await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        sql`insert into t (body) values (${`row ${i} ${'y'.repeat(2000)}`})`.execute(h.db),
      ),
    )
    await h.close()
    const again = await connectDb({ sqliteFile: file })
    const { rows } = await sql<{ n: number }>`select count(*) as n from t`.execute(again.db)
    expect(rows[0]?.n).toBe(400)
    await again.close()
  })
})
