import SQLite from 'better-sqlite3'
import { Kysely } from 'kysely'
import type { DbHandle } from '../connect.ts'
import type { Database } from '../schema.ts'
import { createSqliteDialect } from './dialect.ts'
import { WalCheckpointer } from './wal-checkpointer.ts'
import { WalSync } from './wal-sync.ts'

export interface SqliteConnectOptions {
  /** Consecutive transactions share one commit (default true; see DurableSqliteDriver). */
  groupCommit?: boolean | undefined
  /** Statement journals and temporary tables: in memory (default) or in temporary files. */
  tempStore?: 'memory' | 'file' | undefined
}

/**
 * Opens an SQLite file (or `:memory:`) in WAL mode with foreign keys and a busy timeout; writes
 * are durable before they resolve (see DurableSqliteDriver).
 */
export function connectSqlite(file: string, opts: SqliteConnectOptions = {}): DbHandle {
  const sqlite = new SQLite(file)
  const wal = sqlite.pragma('journal_mode = WAL', { simple: true }) === 'wal'
  // A commit is on disk before we acknowledge it to a client. In WAL mode the driver syncs the
  // log after every write, off the event loop and shared by concurrent writers (group commit);
  // otherwise SQLite syncs at each commit (FULL).
  sqlite.pragma(wal ? 'synchronous = NORMAL' : 'synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  // Deleted content is overwritten with zeros (erasure and retention must leave no trace in
  // free pages of the file).
  sqlite.pragma('secure_delete = ON')
  sqlite.pragma('busy_timeout = 5000')
  // Every Kysely transaction runs in a savepoint of the shared commit (group-commit.ts), and a
  // message insert's triggers need a statement journal: SQLite copies each page the savepoint
  // or statement changes into a sub-journal, and past 64 KiB (a message with its reply writes
  // more) it spills that journal to a temporary file made and deleted per transaction. In memory
  // a message insert took 53 µs instead of 86–92 µs (docs/performance.md). Only rollback data of
  // the transaction under way lives there, nothing durable; large sorts still spill to files.
  sqlite.pragma(`temp_store = ${opts.tempStore === 'file' ? 'file' : 'memory'}`)
  let checkpointer: WalCheckpointer | undefined
  if (wal) {
    // Checkpoints run on a worker thread (see WalCheckpointer), not inside our commits.
    const autocheckpoint = sqlite.pragma('wal_autocheckpoint', { simple: true }) as number
    sqlite.pragma('wal_autocheckpoint = 0')
    checkpointer = new WalCheckpointer(sqlite.name, {
      onFailure(err) {
        if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${autocheckpoint}`)
        process.emitWarning(`${err.message}; SQLite checkpoints on its own again`)
      },
    })
  }
  const db = new Kysely<Database>({
    dialect: createSqliteDialect(sqlite, {
      wal: wal ? new WalSync(`${sqlite.name}-wal`) : undefined,
      checkpointer,
      groupCommit: opts.groupCommit,
    }),
  })
  return {
    db,
    dialect: 'sqlite',
    async ping() {
      sqlite.prepare('select 1').get()
    },
    async close() {
      await db.destroy()
    },
  }
}
