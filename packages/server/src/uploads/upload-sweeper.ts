import type { Db } from '../db/schema.ts'
import { deleteExpiredUploads, UNATTACHED_UPLOAD_TTL_MS } from './upload-repo.ts'

/** Uploads deleted per statement: short statements, so requests get the database in between. */
const BATCH = 100
/** Time between sweeps. */
const DEFAULT_INTERVAL_MS = 10 * 60 * 1000

export interface UploadSweeper {
  /** Sweeps now (or joins the sweep under way); resolves with the number of uploads deleted. */
  sweepNow(): Promise<number>
  /** Stops the timer and waits for a sweep under way. */
  stop(): Promise<void>
}

/**
 * Deletes abandoned uploads (never attached to a message within
 * {@link UNATTACHED_UPLOAD_TTL_MS}) in the background: once at start, then every `intervalMs`.
 * It works in small batches and yields to the event loop between them (SQLite runs on it), and
 * every batch is idempotent, so several instances on one PostgreSQL database may sweep at once.
 * Attachments of deleted messages, conversations and tenants go with them (a trigger, see
 * migration 0008), not through this sweep. A failure is logged and retried at the next sweep.
 */
export function startUploadSweeper(
  db: Db,
  opts: {
    intervalMs?: number
    log?: { warn(obj: unknown, msg: string): void; info(obj: unknown, msg: string): void }
    now?: () => number
  } = {},
): UploadSweeper {
  const now = opts.now ?? Date.now
  let running: Promise<number> | undefined
  let stopped = false

  const sweepOnce = async (): Promise<number> => {
    const cutoff = new Date(now() - UNATTACHED_UPLOAD_TTL_MS).toISOString()
    let total = 0
    for (;;) {
      const n = await deleteExpiredUploads(db, cutoff, BATCH)
      total += n
      if (n < BATCH || stopped) return total
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }
  const sweepNow = (): Promise<number> => {
    running ??= sweepOnce()
      .then((n) => {
        if (n > 0) opts.log?.info({ deleted: n }, 'deleted abandoned uploads')
        return n
      })
      .finally(() => {
        running = undefined
      })
    return running
  }
  const tick = () => {
    sweepNow().catch((err: unknown) => opts.log?.warn({ err }, 'upload sweep failed'))
  }
  const first = setTimeout(tick, 0)
  const timer = setInterval(tick, opts.intervalMs ?? DEFAULT_INTERVAL_MS)
  first.unref()
  timer.unref()

  return {
    sweepNow,
    async stop() {
      stopped = true
      clearTimeout(first)
      clearInterval(timer)
      await running?.catch(() => {})
    },
  }
}
