import { fdatasync, close as fsClose, open as fsOpen, fstatSync } from 'node:fs'
import type SQLite from 'better-sqlite3'
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SqliteDialect,
  SqliteDriver,
} from 'kysely'
import type { WalCheckpointer } from './wal-checkpointer.ts'

export interface SqliteDialectOptions {
  /**
   * Syncs the database's write-ahead log: every write is made durable through it before the
   * query or transaction that made it resolves (the connection then runs with
   * `synchronous = NORMAL`). Unset for in-memory databases.
   */
  wal?: WalSync | undefined
  /** Prepared statements kept for reuse, by SQL text (default 500). */
  statementCacheSize?: number
  /** Told of every committed write transaction (checkpoints the log off the event loop). */
  checkpointer?: WalCheckpointer | undefined
}

/**
 * fdatasync of the WAL file, shared: every caller gets a sync that started after its call, so
 * everything it wrote before calling is on disk when its promise resolves. Callers arriving
 * while a sync runs share the next one (group commit), and the sync runs on libuv's thread pool,
 * never blocking the event loop.
 */
export class WalSync {
  #file: string
  #fd: number | undefined
  #running: Promise<void> | undefined
  #queued: Promise<void> | undefined
  #closed = false
  /** Syncs performed (for tests and metrics). */
  syncs = 0

  /** `file`: the write-ahead log, `<database file>-wal`. */
  constructor(file: string) {
    this.#file = file
  }

  /** Resolves once everything written before this call is durable. */
  sync(): Promise<void> {
    if (this.#running === undefined) {
      const run = this.#syncOnce().finally(() => {
        this.#running = undefined
      })
      this.#running = run
      return run
    }
    // A sync is running but may have started before our writes: wait for the next one.
    this.#queued ??= this.#running
      .catch(() => {})
      .then(() => {
        this.#queued = undefined
        return this.sync()
      })
    return this.#queued
  }

  // Plain descriptors and callbacks, not `fs/promises` FileHandles: a sync runs for nearly every
  // write, and the FileHandle calls cost several times the CPU of `fs.fdatasync`. The `fstat` is
  // synchronous (an in-memory inode read, as SQLite itself does on every transaction): handing it
  // to the thread pool cost ~50 µs of CPU per sync.
  async #syncOnce(): Promise<void> {
    this.syncs++
    if (this.#closed) {
      // A write committed just before the database closed: sync on a descriptor of our own.
      // Closing checkpoints the log into the database file (synced) and removes it: nothing left
      // to do then.
      const once = await openFile(this.#file).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined
        throw err
      })
      if (once === undefined) return
      try {
        await datasync(once)
      } finally {
        await closeFile(once)
      }
      return
    }
    let fd = this.#fd
    // The log is removed when the last connection closes (e.g. a CLI process beside us was the
    // last one): sync the file that exists now, not the deleted one.
    if (fd !== undefined && fstatSync(fd).nlink === 0) {
      await closeFile(fd).catch(() => {})
      fd = undefined
    }
    fd ??= await openFile(this.#file)
    this.#fd = fd
    await datasync(fd)
  }

  async close(): Promise<void> {
    this.#closed = true
    await this.#running?.catch(() => {})
    await this.#queued?.catch(() => {})
    const fd = this.#fd
    this.#fd = undefined
    if (fd !== undefined) await closeFile(fd).catch(() => {})
  }
}

function openFile(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    fsOpen(file, 'r', (err, fd) => (err ? reject(err) : resolve(fd)))
  })
}

function datasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fdatasync(fd, (err) => (err ? reject(err) : resolve()))
  })
}

function closeFile(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fsClose(fd, (err) => (err ? reject(err) : resolve()))
  })
}

/** Raw statements that write nothing themselves (a commit makes durable what others wrote). */
const READ_ONLY_RAW =
  /^\s*(select|pragma\s+\w+\s*;?\s*$|begin|commit|end|savepoint|release|rollback|explain)\b/i

const ROLLBACK = /^\s*rollback\s*;?\s*$/i

function writes(query: CompiledQuery): boolean {
  const kind = query.query.kind
  if (kind === 'SelectQueryNode') return false
  if (kind === 'RawNode') return !READ_ONLY_RAW.test(query.sql)
  return true
}

/**
 * Kysely's SQLite driver plus what the hot paths need: prepared statements reused by SQL text,
 * and (with a {@link WalSync}) durable commits without blocking the event loop. The connection's
 * mutex is released as soon as a write is committed; then the caller waits for a WAL fdatasync
 * shared with every other writer of the moment (group commit) instead of each commit syncing on
 * the event loop in turn. Readers wait for a sync in flight as well, so nothing that is not yet
 * durable is ever shown to anyone.
 */
class DurableSqliteDriver extends SqliteDriver {
  #sqlite: SQLite.Database
  #wal: WalSync | undefined
  #checkpointer: WalCheckpointer | undefined
  /** Writes committed (or in the open transaction) that no sync started after. */
  #dirty = false
  /** The sync that covers every commit so far, until it settles. */
  #pending: Promise<void> | undefined

  constructor(database: SQLite.Database, opts: SqliteDialectOptions) {
    super({ database: cachedStatements(database, opts.statementCacheSize ?? 500) })
    this.#sqlite = database
    this.#wal = opts.wal
    this.#checkpointer = opts.checkpointer
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection()
    return {
      executeQuery: <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        // Outside a transaction every write is synced when its holder lets go: writes still
        // unsynced belong to the open transaction, and a rollback undoes them all.
        if (ROLLBACK.test(query.sql)) this.#dirty = false
        else if (writes(query)) this.#dirty = true
        return connection.executeQuery<R>(query)
      },
      streamQuery: <R>(query: CompiledQuery, chunkSize?: number) =>
        connection.streamQuery<R>(query, chunkSize),
    }
  }

  override async releaseConnection(): Promise<void> {
    let wait: Promise<void> | undefined
    // A transaction may span several holders (migrations run `begin immediate` on its own):
    // nothing is durable to wait for before it commits.
    if (this.#wal && !this.#sqlite.inTransaction) {
      if (this.#dirty) {
        this.#dirty = false
        if (this.#checkpointer?.committed()) void this.#finishCheckpoint(this.#checkpointer)
        const sync = this.#wal.sync()
        this.#pending = sync
        sync.then(
          () => this.#settled(sync),
          () => this.#settled(sync),
        )
        wait = sync
      } else if (this.#pending) {
        // It failed for its writers (their callers got the error); a reader just goes on.
        wait = this.#pending.catch(() => {})
      }
    }
    await super.releaseConnection()
    if (wait) await wait
  }

  /**
   * The last step of a checkpoint (see WalCheckpointer): the worker copies the few frames left
   * while our statements wait for the connection (the event loop does not wait), so the next
   * write finds the log completely checkpointed and starts it over.
   */
  async #finishCheckpoint(checkpointer: WalCheckpointer): Promise<void> {
    await super.acquireConnection()
    try {
      await checkpointer.finish()
    } finally {
      await super.releaseConnection()
    }
  }

  #settled(sync: Promise<void>): void {
    if (this.#pending === sync) this.#pending = undefined
  }

  override async destroy(): Promise<void> {
    await this.#wal?.close()
    // Its connection first: closing ours last checkpoints the log and removes it.
    await this.#checkpointer?.close()
    await super.destroy()
  }
}

/**
 * A `better-sqlite3` database whose `prepare` returns a cached statement for SQL it has seen
 * (least recently used ones dropped past `size`). A statement still iterating (a stream) is
 * never handed out twice.
 */
function cachedStatements(sqlite: SQLite.Database, size: number) {
  const cache = new Map<string, SQLite.Statement>()
  return {
    close() {
      cache.clear()
      sqlite.close()
    },
    prepare(sql: string): SQLite.Statement {
      const hit = cache.get(sql)
      if (hit !== undefined && !hit.busy) {
        cache.delete(sql)
        cache.set(sql, hit)
        return hit
      }
      const stmt = sqlite.prepare(sql)
      if (hit === undefined) {
        cache.set(sql, stmt)
        if (cache.size > size) cache.delete(cache.keys().next().value!)
      }
      return stmt
    },
  }
}

/** Kysely dialect for a `better-sqlite3` database (see {@link DurableSqliteDriver}). */
export function createSqliteDialect(
  sqlite: SQLite.Database,
  opts: SqliteDialectOptions = {},
): SqliteDialect {
  return new (class extends SqliteDialect {
    override createDriver(): Driver {
      return new DurableSqliteDriver(sqlite, opts)
    }
  })({ database: sqlite })
}
