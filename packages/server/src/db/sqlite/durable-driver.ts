import type SQLite from 'better-sqlite3'
import { type CompiledQuery, type DatabaseConnection, type QueryResult, SqliteDriver } from 'kysely'
import {
  type Batch,
  BEGIN,
  batchOpen,
  COMMIT,
  isRawBegin,
  isRollback,
  newBatch,
  RELEASE,
  ROLLBACK_ALL,
  ROLLBACK_TO,
  SAVEPOINT,
  writes,
} from './group-commit.ts'
import { cachedStatements } from './statement-cache.ts'
import type { WalCheckpointer } from './wal-checkpointer.ts'
import type { WalSync } from './wal-sync.ts'

/** Options of {@link DurableSqliteDriver} (and of `createSqliteDialect`). */
export interface DurableSqliteOptions {
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
  /**
   * Consecutive transactions share one SQLite commit (default true). Off, each transaction
   * begins and commits on its own; their log syncs are still shared.
   */
  groupCommit?: boolean | undefined
  /**
   * How long a shared commit is held open for more holders (default 3 ms). Tests that count
   * commits raise it: a loaded machine may stall a batch past 3 ms.
   */
  groupCommitMaxMs?: number | undefined
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
 *   a savepoint of its own (its rollback undoes only its work). The last of them (at most 16
 *   holders or 3 ms: see group-commit.ts) commits for all: the pages they share (the
 *   end of the messages table and of its indexes…) are written to the log once, not once each.
 *   Every holder resolves only when that commit is durable, and fails if it failed (or SQLite
 *   rolled the whole transaction back): nothing is acknowledged that was not stored. With nobody
 *   waiting, the transaction stays open until the current turn of the event loop ends: requests
 *   read from their sockets together reach their transactions one after another, each after the
 *   previous let go, and share the commit all the same (one more turn of latency at most).
 *   `groupCommit: false` turns this off: each transaction then commits alone. Why sharing is
 *   safe: docs/adr/0001-sqlite-group-commit.md.
 * - Holders queue first come, first served, each woken once.
 */
export class DurableSqliteDriver extends SqliteDriver {
  #sqlite: SQLite.Database
  #wal: WalSync | undefined
  #checkpointer: WalCheckpointer | undefined
  #groupCommit: boolean
  #groupCommitMaxMs: number | undefined
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

  constructor(database: SQLite.Database, opts: DurableSqliteOptions) {
    super({ database: cachedStatements(database, opts.statementCacheSize ?? 500) })
    this.#sqlite = database
    this.#wal = opts.wal
    this.#checkpointer = opts.checkpointer
    this.#groupCommit = opts.groupCommit ?? true
    this.#groupCommitMaxMs = opts.groupCommitMaxMs
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
    if (isRollback(query)) this.#dirty = false
    else if (writes(query)) this.#dirty = true
    // A transaction of its own (migrations run `begin immediate`): ours is committed first.
    if (this.#batch && isRawBegin(query)) {
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
    // Through our handle: a rollback or a write is noted as for any statement.
    if (!this.#groupCommit) {
      await connection.executeQuery(BEGIN)
      return
    }
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
      const open = batchOpen(batch, this.#groupCommitMaxMs)
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
