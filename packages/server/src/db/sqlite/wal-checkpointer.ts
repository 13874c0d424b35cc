import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/** Write transactions between two checkpoints (each writes ~5–20 pages to the log). */
const DEFAULT_EVERY_COMMITS = 100
/** The worker checkpoints again until at most this many frames are left for the final step. */
const LEFTOVER_FRAMES = 64

// CommonJS, run with `eval`: the worker needs no TypeScript loader (production runs under tsx,
// tests under vitest). A PASSIVE checkpoint never blocks anyone nor waits for anyone.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
let db
function checkpoint() {
  if (db === undefined) {
    db = new Database(workerData.file, { fileMustExist: true })
    // WAL mode, NORMAL: the log is synced before each checkpoint and the database file after
    // it, so the log is never rewound over pages that are not on disk yet.
    db.pragma('synchronous = NORMAL')
    db.pragma('busy_timeout = 5000')
  }
  return db.pragma('wal_checkpoint(PASSIVE)')[0]
}
parentPort.on('message', (m) => {
  if (m === 'close') {
    try { db?.close() } finally { parentPort.close() }
    return
  }
  try {
    let r = checkpoint()
    // 'bulk': the writer keeps appending meanwhile; catch up until only a few frames are left.
    for (let round = 1; m === 'bulk' && round < 10; round++) {
      if (r.busy || r.log - r.checkpointed <= workerData.leftover) break
      r = checkpoint()
    }
    parentPort.postMessage({ ok: true, log: r.log, checkpointed: r.checkpointed })
  } catch (err) {
    parentPort.postMessage({ ok: false, message: String((err && err.message) || err) })
  }
})
`

export interface WalCheckpointerOptions {
  /** Checkpoint after this many write transactions (default 100). */
  everyCommits?: number
  /**
   * The worker failed (it could not open the database, a checkpoint threw, or it died). The
   * checkpointer stops; the caller should let SQLite checkpoint on its own again
   * (`wal_autocheckpoint`).
   */
  onFailure: (err: Error) => void
}

/**
 * Checkpoints a WAL database from a worker thread with a connection of its own. SQLite's
 * automatic checkpoint runs inside the commit that crosses its threshold, on the event loop: it
 * copies the log into the database file and syncs both, stalling every request for 1–30 ms
 * about every hundred commits. With the writer's `wal_autocheckpoint` off, its driver calls
 * {@link committed} after each write transaction, and the copying and syncing happen here:
 *
 * 1. the bulk, while the writer goes on writing;
 * 2. {@link finish}, with the writer's statements held back (its event loop free): the few frames
 *    written meanwhile. SQLite starts the log over only when a writer finds it completely
 *    checkpointed, which a checkpoint racing with the writer never achieves; without this step
 *    the log would grow without end under steady load.
 *
 * The worker starts on the first checkpoint (short-lived processes never start it).
 */
export class WalCheckpointer {
  #file: string
  #every: number
  #onFailure: (err: Error) => void
  #worker: Worker | undefined
  #exited: Promise<void> | undefined
  #commits = 0
  #bulkRunning = false
  #finishDue = false
  #replies: ((ok: boolean) => void)[] = []
  #failed = false
  #closed = false
  /** Checkpoints completed (bulk and final steps; for tests and metrics). */
  checkpoints = 0

  /** `file`: the database file (not the log). */
  constructor(file: string, opts: WalCheckpointerOptions) {
    this.#file = file
    this.#every = opts.everyCommits ?? DEFAULT_EVERY_COMMITS
    this.#onFailure = opts.onFailure
  }

  /**
   * A write transaction committed. Returns true when the bulk of a checkpoint is done and the
   * caller should now run {@link finish} with its writes held back.
   */
  committed(): boolean {
    if (this.#failed || this.#closed) return false
    if (this.#finishDue) {
      this.#finishDue = false
      return true
    }
    if (++this.#commits < this.#every || this.#bulkRunning) return false
    this.#commits = 0
    this.#bulkRunning = true
    void this.#request('bulk').then((ok) => {
      this.#bulkRunning = false
      if (ok) this.#finishDue = true
    })
    return false
  }

  /** Checkpoints what the bulk step left; resolves when done (or the worker failed). */
  async finish(): Promise<void> {
    if (this.#failed || this.#closed) return
    await this.#request('finish')
  }

  #request(kind: 'bulk' | 'finish'): Promise<boolean> {
    const worker = this.#ensureWorker()
    return new Promise((resolve) => {
      this.#replies.push(resolve)
      worker.postMessage(kind)
    })
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        file: this.#file,
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        leftover: LEFTOVER_FRAMES,
      },
    })
    // Never keeps a process alive: an unfinished checkpoint is safe to abandon.
    worker.unref()
    this.#exited = new Promise((resolve) => worker.once('exit', () => resolve()))
    // The worker answers its requests in order.
    worker.on('message', (m: { ok: boolean; message?: string }) => {
      if (m.ok) this.checkpoints++
      else this.#fail(new Error(`WAL checkpoint failed: ${m.message}`))
      this.#replies.shift()?.(m.ok)
    })
    worker.on('error', (err) => this.#fail(err))
    worker.on('exit', (code) => {
      if (!this.#closed) this.#fail(new Error(`WAL checkpoint worker exited (${code})`))
      for (const reply of this.#replies.splice(0)) reply(false)
    })
    this.#worker = worker
    return worker
  }

  #fail(err: Error): void {
    if (this.#failed || this.#closed) return
    this.#failed = true
    this.#finishDue = false
    void this.#worker?.terminate()
    this.#onFailure(err)
  }

  /** Stops the worker (closing its connection); the caller closes the main connection after. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const worker = this.#worker
    if (!worker) return
    worker.postMessage('close')
    const timer = setTimeout(() => void worker.terminate(), 5000)
    await this.#exited
    clearTimeout(timer)
  }
}
