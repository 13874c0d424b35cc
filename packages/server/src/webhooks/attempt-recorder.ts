import type { Db } from '../db/schema.ts'
import type { ClaimedDelivery } from './delivery-queue.ts'
import { type AttemptOutcome, recordAttempt } from './delivery-repo.ts'
import { failingWindowMs } from './retry-schedule.ts'

/** One attempt made, waiting to be recorded. */
export interface AttemptDone {
  c: ClaimedDelivery
  outcome: AttemptOutcome
}

interface RecorderLog {
  warn(obj: object, msg: string): void
}

/** Longest an outcome waits for the others of its batch. */
const BATCH_MS = 20

/**
 * Records attempt outcomes in one transaction: each delivery's new state and its attempt row,
 * and its endpoint's health (a success clears `failing_since`; 410 switches the endpoint off;
 * a failure starts the failing window, or switches the endpoint off once the window has
 * passed without a success).
 */
export async function recordOutcomes(
  db: Db,
  items: AttemptDone[],
  log: RecorderLog,
  retryBaseMs: number,
): Promise<void> {
  const gone: string[] = []
  await db.transaction().execute(async (trx) => {
    for (const { c, outcome } of items) {
      if (!(await recordAttempt(trx, c.id, c.attempt, outcome))) continue
      const endpoint = trx
        .updateTable('webhook_endpoints')
        .where('id', '=', c.endpoint_id)
        .where('tenant_id', '=', c.tenant_id)
      if (outcome.status === 'succeeded') {
        if (c.failing_since !== null) await endpoint.set({ failing_since: null }).execute()
      } else if (outcome.statusCode === 410) {
        gone.push(c.endpoint_id)
        await endpoint
          .set({ enabled: 0, disabled_reason: 'gone', updated_at: outcome.at })
          .execute()
      } else if (c.failing_since === null) {
        await endpoint
          .set({ failing_since: outcome.at })
          .where('failing_since', 'is', null)
          .execute()
      } else if (
        Date.parse(outcome.at) - Date.parse(c.failing_since) >=
        failingWindowMs(retryBaseMs)
      ) {
        await endpoint
          .set({ enabled: 0, disabled_reason: 'failing', updated_at: outcome.at })
          .where('enabled', '=', 1)
          .execute()
      }
    }
  })
  for (const endpointId of gone) log.warn({ endpointId }, 'webhook endpoint answered 410: disabled')
}

export interface AttemptRecorder {
  /** Queues an outcome; resolves once it is recorded (with the others of its batch). */
  add(c: ClaimedDelivery, outcome: AttemptOutcome): Promise<void>
  /** Records what is queued now. */
  flush(): Promise<void>
}

/**
 * Batches the worker's records: a message to a tenant with ten endpoints makes twenty attempts
 * that end within milliseconds of each other, and recording each in its own transaction made
 * the message writes of the moment wait behind twenty more commits (and, on SQLite, more log
 * syncs). Outcomes are written together once no attempt is still sending (`sending()`), or
 * at most BATCH_MS after the first of the batch. A record only moves the
 * delivery on: if the process dies before it, the delivery's lease runs out and it is sent
 * again with the same `webhook-id` (at least once, as before).
 */
export function createAttemptRecorder(
  db: Db,
  log: RecorderLog,
  retryBaseMs: number,
  sending: () => number,
): AttemptRecorder {
  let queued: (AttemptDone & { resolve(): void; reject(err: unknown): void })[] = []
  let timer: NodeJS.Timeout | undefined
  let flushing: Promise<void> = Promise.resolve()

  const flush = (): Promise<void> => {
    clearTimeout(timer)
    timer = undefined
    const batch = queued
    queued = []
    if (batch.length === 0) return flushing
    // One batch after the other: a delivery's records stay in the order they were made.
    flushing = flushing.then(() =>
      recordOutcomes(db, batch, log, retryBaseMs).then(
        () => {
          for (const b of batch) b.resolve()
        },
        (err: unknown) => {
          for (const b of batch) b.reject(err)
        },
      ),
    )
    return flushing
  }

  return {
    add(c, outcome) {
      return new Promise((resolve, reject) => {
        queued.push({ c, outcome, resolve, reject })
        // No attempt is still sending: nobody else to wait for.
        if (sending() === 0) void flush()
        else timer ??= setTimeout(() => void flush(), BATCH_MS)
      })
    },
    flush,
  }
}
