import type { FastifyBaseLogger } from 'fastify'
import type { Db, Dialect } from '../db/schema.ts'
import { type ClaimedJob, claimJob, finishJob, type JobRow, renewLease } from './job-repo.ts'

/** What a job handler gets besides the row. */
export interface JobContext {
  /** Aborted when the runner closes or the lease was lost: stop soon, write nothing more. */
  signal: AbortSignal
}

/** Runs one job; throwing fails it (no retry: a handler records its own partial outcome). */
export type JobHandler = (job: JobRow, ctx: JobContext) => Promise<void>

export interface JobRunnerOptions {
  db: Db
  dialect: Dialect
  handlers: Readonly<Record<string, JobHandler>>
  log?: FastifyBaseLogger | undefined
  /** Jobs this process runs at once (default 2). */
  concurrency?: number
  /** How often to look for work queued by other instances or due later (default 2 s). */
  pollMs?: number
  /** A claimed job is another runner's to take over this long after its last renewal (default 60 s). */
  leaseMs?: number
  /** A job claimed this many times (its runners kept dying) is failed (default 3). */
  maxAttempts?: number
  /** Called on every poll before claiming (e.g. queue the syncs that are due). */
  onPoll?: () => Promise<void>
}

/** The in-process side of the durable job table: claims, runs, renews and finishes jobs. */
export interface JobRunner {
  start(): void
  /** Looks for work now (after a job was queued on this instance). */
  wake(): void
  /** Resolves when no job is running and none is claimable right now (tests). */
  idle(): Promise<void>
  /** Stops claiming, aborts running jobs (their leases expire; another runner resumes them). */
  close(): Promise<void>
}

/**
 * A job runner polling the `jobs` table. Every instance may run one: on PostgreSQL claims skip
 * rows locked by others and a lease keeps one runner per job; a runner that dies leaves a lease
 * that expires, and the job is claimed again (up to `maxAttempts` claims).
 */
export function createJobRunner(opts: JobRunnerOptions): JobRunner {
  const concurrency = opts.concurrency ?? 2
  const pollMs = opts.pollMs ?? 2000
  const leaseMs = opts.leaseMs ?? 60_000
  const maxAttempts = opts.maxAttempts ?? 3
  const kinds = Object.keys(opts.handlers)
  const running = new Set<Promise<void>>()
  const aborts = new Set<AbortController>()
  let timer: NodeJS.Timeout | undefined
  let started = false
  let closed = false
  let pumping: Promise<void> | undefined
  let again = false
  let idleWaiters: (() => void)[] = []

  const settleIdle = () => {
    if (running.size > 0 || pumping) return
    const waiters = idleWaiters
    idleWaiters = []
    for (const w of waiters) w()
  }

  async function runOne(job: ClaimedJob): Promise<void> {
    const abort = new AbortController()
    aborts.add(abort)
    const renew = setInterval(
      () => {
        renewLease(opts.db, job, leaseMs)
          .then((kept) => {
            if (!kept) abort.abort(new Error('lease lost'))
          })
          .catch((err: unknown) =>
            opts.log?.warn({ err, job: job.row.id }, 'job lease renewal failed'),
          )
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    )
    try {
      if (job.row.attempts > maxAttempts) {
        await finishJob(opts.db, job, {
          status: 'failed',
          error: 'Stopped after repeated restarts',
        })
        return
      }
      const handler = opts.handlers[job.row.kind]!
      await handler(job.row, { signal: abort.signal })
      if (!abort.signal.aborted) await finishJob(opts.db, job, { status: 'done' })
    } catch (err) {
      if (abort.signal.aborted) return // closing or lease lost: whoever holds it finishes it
      opts.log?.warn({ err, job: job.row.id, kind: job.row.kind }, 'job failed')
      await finishJob(opts.db, job, {
        status: 'failed',
        error: err instanceof Error ? err.message : String(err),
      }).catch(() => {})
    } finally {
      clearInterval(renew)
      aborts.delete(abort)
    }
  }

  async function pump(): Promise<void> {
    do {
      again = false
      if (opts.onPoll)
        await opts.onPoll().catch((err: unknown) => opts.log?.warn({ err }, 'job poll hook failed'))
      while (!closed && running.size < concurrency) {
        const job = await claimJob(opts.db, opts.dialect, kinds, leaseMs)
        if (!job) break
        const p: Promise<void> = runOne(job).finally(() => {
          running.delete(p)
          if (!closed) wake()
          settleIdle()
        })
        running.add(p)
      }
    } while (again && !closed)
  }

  function wake(): void {
    if (!started || closed) return
    if (pumping) {
      again = true
      return
    }
    pumping = pump()
      .catch((err: unknown) => opts.log?.warn({ err }, 'job claim failed'))
      .finally(() => {
        pumping = undefined
        settleIdle()
      })
  }

  return {
    start() {
      if (started || closed) return
      started = true
      timer = setInterval(wake, pollMs)
      timer.unref()
      wake()
    },
    wake,
    idle() {
      if (running.size === 0 && !pumping) return Promise.resolve()
      return new Promise((resolve) => idleWaiters.push(resolve))
    },
    async close() {
      closed = true
      if (timer) clearInterval(timer)
      for (const a of aborts) a.abort(new Error('runner closed'))
      await pumping
      await Promise.allSettled([...running])
    },
  }
}
