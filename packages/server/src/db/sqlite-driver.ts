import { fdatasync, close as fsClose, open as fsOpen, fstatSync } from 'node:fs'
import type SQLite from 'better-sqlite3'
import {
  CompiledQuery,
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

const RAW_BEGIN = /^\s*begin\b/i

/** The savepoint each transaction of a shared commit runs in. */
const TX_SAVEPOINT = 'aurion_tx'
// Built once: CompiledQuery.raw makes a node and a random query id each time.
const BEGIN = CompiledQuery.raw('begin')
const COMMIT = CompiledQuery.raw('commit')
const ROLLBACK_ALL = CompiledQuery.raw('rollback')
const SAVEPOINT = CompiledQuery.raw(`savepoint ${TX_SAVEPOINT}`)
const RELEASE = CompiledQuery.raw(`release ${TX_SAVEPOINT}`)
const ROLLBACK_TO = CompiledQuery.raw(`rollback to ${TX_SAVEPOINT}`)
/** At most this many holders of the connection share one commit… */
const BATCH_MAX_MEMBERS = 16
/** …and it is held open for them at most this long. */
const BATCH_MAX_MS = 3

/** An SQLite transaction shared by consecutive holders of the connection (one commit). */
interface Batch {
  members: number
  startedAt: number
  /** A commit at the end of this turn of the event loop is scheduled. */
  scheduled: boolean
  /** That turn has ended: the next holder to let go commits. */
  due: boolean
  /** Something was written in it. */
  dirty: boolean
  /** Settles when its commit is durable: rejected if it failed or SQLite rolled it back. */
  done: Promise<void>
  resolve(): void
  reject(err: unknown): void
}

function newBatch(): Batch {
  let resolve!: () => void
  let reject!: (err: unknown) => void
  const done = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  // Members await it; the rejection is theirs to see, never an unhandled one.
  done.catch(() => {})
  return {
    members: 0,
    startedAt: performance.now(),
    scheduled: false,
    due: false,
    dirty: false,
    done,
    resolve,
    reject,
  }
}

/**
 * Kysely's SQLite driver plus what the hot paths need: prepared statements reused by SQL text,
 * and (with a {@link WalSync}) durable commits without blocking the event loop.
 *
 * - Group commit in the log: the connection is let go as soon as a write is committed; then the
 *   caller waits for a WAL fdatasync shared with every other writer of the moment, instead of
 *   each commit syncing on the event loop in turn. Readers wait for a sync in flight as well, so
 *   nothing that is not yet durable is ever shown to anyone.
 * - Group commit in SQLite: while others wait for the connection, a transaction's commit is
 *   deferred and the next holders run in the same SQLite transaction, each Kysely transaction in
 *   a savepoint of its own (its rollback undoes only its work). The last of them (at most
 *   {@link BATCH_MAX_MEMBERS}, {@link BATCH_MAX_MS}) commits for all: the pages they share (the
 *   end of the messages table and of its indexes…) are written to the log once, not once each.
 *   Every holder resolves only when that commit is durable, and fails if it failed (or SQLite
 *   rolled the whole transaction back): nothing is acknowledged that was not stored. With nobody
 *   waiting, the transaction stays open until the current turn of the event loop ends: requests
 *   read from their sockets together reach their transactions one after another, each after the
 *   previous let go, and share the commit all the same (one more turn of latency at most).
 * - Holders queue first come, first served, each woken once.
 */
class DurableSqliteDriver extends SqliteDriver {
  #sqlite: SQLite.Database
  #wal: WalSync | undefined
  #checkpointer: WalCheckpointer | undefined
  /** The one connection; Kysely's own queue is not used (see {@link acquireConnection}). */
  #connection!: DatabaseConnection
  #handle!: DatabaseConnection
  #busy = false
  #waiters: { resume(): void; exclusive: boolean }[] = []
  /** Our SQLite transaction, open across holders until its commit. */
  #batch: Batch | undefined
  /** Writes committed (or in the open transaction) that no sync started after. */
  #dirty = false
  /** `#dirty` when the current holder's transaction began (its rollback restores it). */
  #dirtyBefore = false
  /** The sync that covers every commit so far, until it settles. */
  #pending: Promise<void> | undefined

  constructor(database: SQLite.Database, opts: SqliteDialectOptions) {
    super({ database: cachedStatements(database, opts.statementCacheSize ?? 500) })
    this.#sqlite = database
    this.#wal = opts.wal
    this.#checkpointer = opts.checkpointer
  }

  override async init(): Promise<void> {
    await super.init()
    // Kysely's queue wakes every waiter at each release; ours wakes the next one only.
    this.#connection = await super.acquireConnection()
    this.#handle = {
      executeQuery: <R>(query: CompiledQuery) => this.#execute<R>(query),
      streamQuery: <R>(query: CompiledQuery, chunkSize?: number) =>
        this.#connection.streamQuery<R>(query, chunkSize),
    }
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    await this.#lock(false)
    return this.#handle
  }

  #lock(exclusive: boolean): Promise<void> {
    if (!this.#busy) {
      this.#busy = true
      return Promise.resolve()
    }
    return new Promise((resume) => this.#waiters.push({ resume, exclusive }))
  }

  #unlock(): void {
    const next = this.#waiters.shift()
    if (next) next.resume()
    else this.#busy = false
  }

  async #execute<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // Outside a transaction every write is synced when its holder lets go: writes still
    // unsynced belong to the open transaction, and a rollback undoes them all.
    if (ROLLBACK.test(query.sql)) this.#dirty = false
    else if (writes(query)) this.#dirty = true
    // A transaction of its own (migrations run `begin immediate`): ours is committed first.
    if (this.#batch && query.query.kind === 'RawNode' && RAW_BEGIN.test(query.sql)) {
      await this.#commitBatch()
    }
    try {
      return await this.#connection.executeQuery<R>(query)
    } catch (err) {
      // Some errors (disk full, I/O) make SQLite roll the whole transaction back.
      if (this.#batch && !this.#sqlite.inTransaction) this.#lose(err)
      throw err
    }
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    if (!this.#batch) {
      // In a transaction begun by hand (`begin immediate`): SQLite refuses, as it always did.
      if (this.#sqlite.inTransaction) return super.beginTransaction(connection)
      await this.#connection.executeQuery(BEGIN)
      this.#batch = newBatch()
    }
    await this.#connection.executeQuery(SAVEPOINT)
    this.#dirtyBefore = this.#dirty
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (!this.#batch) return super.commitTransaction(connection)
    await this.#connection.executeQuery(RELEASE)
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (!this.#batch) {
      // SQLite already rolled everything back (see #execute): nothing left to undo.
      if (!this.#sqlite.inTransaction) return
      return super.rollbackTransaction(connection)
    }
    await this.#connection.executeQuery(ROLLBACK_TO)
    await this.#connection.executeQuery(RELEASE)
    // Its writes are undone: nothing of it to sync.
    this.#dirty = this.#dirtyBefore
  }

  override async releaseConnection(): Promise<void> {
    const batch = this.#batch
    if (batch) {
      batch.members++
      if (this.#dirty) {
        batch.dirty = true
        this.#dirty = false
      }
      const next = this.#waiters[0]
      const open =
        batch.members < BATCH_MAX_MEMBERS && performance.now() - batch.startedAt < BATCH_MAX_MS
      if (next && !next.exclusive && open) {
        // Someone is waiting: they go on in this transaction; one commit for all.
        this.#unlock()
      } else if (!next && open && !batch.due) {
        // Nobody yet, but the requests read in this turn of the event loop are on their way
        // here: the transaction stays open for them and commits once the turn ends.
        this.#scheduleCommit(batch)
        this.#unlock()
      } else {
        await this.#commitBatch()
        this.#unlock()
      }
      return batch.done
    }
    let wait: Promise<void> | undefined
    // A transaction may span several holders (migrations run `begin immediate` on its own):
    // nothing is durable to wait for before it commits.
    if (this.#wal && !this.#sqlite.inTransaction) {
      if (this.#dirty) {
        this.#dirty = false
        wait = this.#startSync()
      } else if (this.#pending) {
        // It failed for its writers (their callers got the error); a reader just goes on.
        wait = this.#pending.catch(() => {})
      }
    }
    this.#unlock()
    if (wait) await wait
  }

  #scheduleCommit(batch: Batch): void {
    if (batch.scheduled) return
    batch.scheduled = true
    setImmediate(() => {
      if (this.#batch !== batch) return
      batch.due = true
      // Held: its holder commits when it lets go (or hands over, within the batch's limits).
      if (this.#busy) return
      this.#busy = true
      void this.#commitBatch().finally(() => this.#unlock())
    })
  }

  /** Takes the connection with no batch open (exclusive work: checkpoints, closing). */
  async #lockAlone(): Promise<void> {
    await this.#lock(true)
    if (this.#batch) await this.#commitBatch()
  }

  /** Commits the open batch; its members' `done` settles when the commit is durable. */
  async #commitBatch(): Promise<void> {
    const batch = this.#batch!
    this.#batch = undefined
    try {
      await this.#connection.executeQuery(COMMIT)
    } catch (err) {
      if (this.#sqlite.inTransaction) {
        await this.#connection.executeQuery(ROLLBACK_ALL).catch(() => {})
      }
      this.#dirty = false
      batch.reject(err)
      return
    }
    if (!this.#wal) batch.resolve()
    else if (batch.dirty) this.#startSync().then(batch.resolve, batch.reject)
    // Only reads: like any reader, wait for the sync in flight (a failed one was its writers').
    else if (this.#pending) this.#pending.catch(() => {}).then(batch.resolve)
    else batch.resolve()
  }

  /** SQLite rolled the batch back on its own: every member fails. */
  #lose(err: unknown): void {
    const batch = this.#batch!
    this.#batch = undefined
    this.#dirty = false
    batch.reject(err)
  }

  #startSync(): Promise<void> {
    if (this.#checkpointer?.committed()) void this.#finishCheckpoint(this.#checkpointer)
    const sync = this.#wal!.sync()
    this.#pending = sync
    sync.then(
      () => this.#settled(sync),
      () => this.#settled(sync),
    )
    return sync
  }

  /**
   * The last step of a checkpoint (see WalCheckpointer): the worker copies the few frames left
   * while our statements wait for the connection (the event loop does not wait), so the next
   * write finds the log completely checkpointed and starts it over. An open batch is committed
   * first (its holder sees this waiter is exclusive).
   */
  async #finishCheckpoint(checkpointer: WalCheckpointer): Promise<void> {
    await this.#lockAlone()
    try {
      await checkpointer.finish()
    } finally {
      this.#unlock()
    }
  }

  #settled(sync: Promise<void>): void {
    if (this.#pending === sync) this.#pending = undefined
  }

  override async destroy(): Promise<void> {
    // A batch waiting for the end of the event loop's turn is committed (and synced) first.
    await this.#lockAlone()
    this.#unlock()
    await this.#pending?.catch(() => {})
    await this.#wal?.close()
    // Its connection first: closing ours last checkpoints the log and removes it.
    await this.#checkpointer?.close()
    if (this.#connection) await super.releaseConnection()
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
        // Recently used ones go last, once the cache is near full (before, nothing is dropped).
        if (cache.size >= size * 0.9) {
          cache.delete(sql)
          cache.set(sql, hit)
        }
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
