import { CompiledQuery } from 'kysely'

/** At most this many holders of the connection share one commit… */
export const BATCH_MAX_MEMBERS = 16
/** …and it is held open for them at most this long. */
export const BATCH_MAX_MS = 3

/** The savepoint each transaction of a shared commit runs in. */
const TX_SAVEPOINT = 'aurion_tx'
// Built once: CompiledQuery.raw makes a node and a random query id each time.
export const BEGIN = CompiledQuery.raw('begin')
export const COMMIT = CompiledQuery.raw('commit')
export const ROLLBACK_ALL = CompiledQuery.raw('rollback')
export const SAVEPOINT = CompiledQuery.raw(`savepoint ${TX_SAVEPOINT}`)
export const RELEASE = CompiledQuery.raw(`release ${TX_SAVEPOINT}`)
export const ROLLBACK_TO = CompiledQuery.raw(`rollback to ${TX_SAVEPOINT}`)

/**
 * An SQLite transaction shared by consecutive holders of the connection (one commit for all),
 * each Kysely transaction in a savepoint of its own. Why this is safe: see
 * docs/adr/0001-sqlite-group-commit.md.
 */
export interface Batch {
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

/** A batch just begun. */
export function newBatch(): Batch {
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

/** May the batch take one more holder (held open at most `maxMs`)? */
export function batchOpen(batch: Batch, maxMs = BATCH_MAX_MS): boolean {
  return batch.members < BATCH_MAX_MEMBERS && performance.now() - batch.startedAt < maxMs
}

/** Raw statements that write nothing themselves (a commit makes durable what others wrote). */
const READ_ONLY_RAW =
  /^\s*(select|pragma\s+\w+\s*;?\s*$|begin|commit|end|savepoint|release|rollback|explain)\b/i
const ROLLBACK = /^\s*rollback\s*;?\s*$/i
const RAW_BEGIN = /^\s*begin\b/i

/** Does the query write (so that a log sync must follow it before it is acknowledged)? */
export function writes(query: CompiledQuery): boolean {
  const kind = query.query.kind
  if (kind === 'SelectQueryNode') return false
  if (kind === 'RawNode') return !READ_ONLY_RAW.test(query.sql)
  return true
}

/** A whole rollback (not to a savepoint). */
export function isRollback(query: CompiledQuery): boolean {
  return ROLLBACK.test(query.sql)
}

/** A transaction begun by hand (`begin immediate`, as migrations do). */
export function isRawBegin(query: CompiledQuery): boolean {
  return query.query.kind === 'RawNode' && RAW_BEGIN.test(query.sql)
}
