import { fdatasync, close as fsClose, open as fsOpen, fstatSync } from 'node:fs'

/**
 * fdatasync of the WAL file, shared: every caller gets a sync that started after its call, so
 * everything it wrote before calling is on disk when its promise resolves. Callers arriving
 * while a sync runs share the next one (group commit in the log), and the sync runs on libuv's
 * thread pool, never blocking the event loop.
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

  /** Waits for the syncs under way, then lets go of the log's descriptor. */
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
