import type { DbHandle } from '../db/connect.ts'
import { createAttemptRecorder, recordOutcomes } from './attempt-recorder.ts'
import { type ClaimedDelivery, createDeliveryQueue } from './delivery-queue.ts'
import { type AttemptOutcome, pruneDeliveredEvents } from './delivery-repo.ts'
import { onEventsWritten } from './events.ts'
import { FANOUT_BATCH, fanOutEvents, fanOutTenant } from './fan-out.ts'
import { retryDelayMs } from './retry-schedule.ts'
import { createDeliverySender } from './sender.ts'

export interface WebhookWorkerOptions {
  database: DbHandle
  /** AURION_SECRET: unseals the endpoints' signing secrets. */
  serverSecret: string
  /** AURION_WEBHOOK_ALLOW_PRIVATE: loopback/private targets and plain http allowed. */
  allowPrivate: boolean
  /** First retry delay; the schedule and the day after which a failing endpoint is switched off scale with it. */
  retryBaseMs: number
  /** How often to look for due deliveries when nothing woke the worker. */
  pollMs: number
  log: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void }
  /** The time retries and the failing window are computed on (tests drive it). */
  now?: () => number
  /** Per attempt (default 10 s). */
  timeoutMs?: number
  /** Attempts in flight at once. */
  concurrency?: number
  /**
   * AURION_WEBHOOK_SEND_THREAD: attempts are made in a thread of their own (sender.ts). Default
   * false: on this event loop.
   */
  sendThread?: boolean
}

export interface WebhookWorker {
  /** Starts looking for due deliveries (on `pollMs` and whenever this process writes events). */
  start(): void
  /** Stops looking; waits for attempts in flight (each ends within its time limit). */
  stop(): Promise<void>
  /**
   * Makes one attempt of this tenant's delivery now, whatever its state (test button,
   * redelivery). Resolves once it is recorded; false when there is no such delivery.
   */
  deliverNow(tenantId: string, deliveryId: string): Promise<boolean>
  /** Makes the deliveries of the tenant's events written so far (before its log is read). */
  fanOutTenant(tenantId: string): Promise<void>
}

/** A taken delivery is another worker's again after this many attempt limits (it died mid-attempt). */
const LEASE_TIMEOUTS = 3
const PRUNE_EVERY_MS = 3_600_000
/** Delivered (or given up) events are kept this long for the delivery log. */
const KEEP_MS = 30 * 86_400_000

/**
 * Delivers the outbox: makes the deliveries of newly written events (fan-out.ts), takes due
 * deliveries from the queue (see delivery-queue.ts: one attempt
 * per worker, also across instances), sends each signed (Standard Webhooks) through the
 * SSRF-safe fetch, and records the attempt: 2xx succeeded; 410 failed and the endpoint switched
 * off; anything else retried on the backoff schedule (retry-schedule.ts) until the last attempt;
 * an endpoint failing without a success for a day is switched off (`disabled_reason: failing`).
 */
export function createWebhookWorker(opts: WebhookWorkerOptions): WebhookWorker {
  const { database } = opts
  const db = database.db
  const queue = createDeliveryQueue(database)
  const clock = opts.now ?? Date.now
  const concurrency = opts.concurrency ?? 16
  const timeoutMs = opts.timeoutMs ?? 10_000
  const sender = createDeliverySender(
    { serverSecret: opts.serverSecret, allowPrivate: opts.allowPrivate, timeoutMs },
    opts.sendThread ?? false,
  )
  const leaseMs = LEASE_TIMEOUTS * timeoutMs
  const inflight = new Set<Promise<void>>()
  let started = false
  /** The pass under way: stop() waits for it (what it claims is attempted and recorded first). */
  let passing: Promise<void> | undefined
  let again = false
  let timer: NodeJS.Timeout | undefined
  let unsubscribe: (() => void) | undefined
  let lastPrune = 0
  /** The last claim took as many deliveries as there were free slots: more may be due. */
  let backlog = false
  /** Attempts claimed by the passes whose request has not ended yet. */
  let sending = 0
  const recorder = createAttemptRecorder(db, opts.log, opts.retryBaseMs, () => sending)

  const iso = (ms: number) => new Date(ms).toISOString()

  const schedule = () => {
    clearTimeout(timer)
    if (started) timer = setTimeout(() => void pass(), opts.pollMs)
  }

  /** Claims due work unless a pass is under way (which then goes round once more). */
  function pass(): Promise<void> {
    if (!started) return Promise.resolve()
    if (passing) {
      again = true
      return passing
    }
    passing = claimAll().finally(() => {
      passing = undefined
      schedule()
    })
    return passing
  }

  async function claimAll(): Promise<void> {
    try {
      do {
        again = false
        const free = Math.max(0, concurrency - inflight.size)
        const now = clock()
        const leaseUntil = iso(clock() + leaseMs)
        // Events committed since the last pass get their deliveries first (fan-out.ts), and
        // as many of them as there are free slots are taken for their first attempt at once.
        const fanned = await fanOutEvents(database, { take: { count: free, leaseUntil } })
        if (fanned.events === FANOUT_BATCH) again = true
        send(fanned.taken)
        const left = free - fanned.taken.length
        if (left === 0) {
          // Every slot is full: what is left goes once one frees (see track).
          backlog = true
          break
        }
        const claimed = await queue.claimDue(iso(now), leaseUntil, left)
        send(claimed)
        backlog = claimed.length === left
        if (backlog) again = true
      } while (again && started)
      if (started && Date.now() - lastPrune > PRUNE_EVERY_MS) {
        lastPrune = Date.now()
        await pruneDeliveredEvents(db, iso(clock() - KEEP_MS))
      }
    } catch (err) {
      opts.log.error({ err }, 'webhook delivery: could not read the queue')
    }
  }

  /** Makes the attempts of deliveries just taken; each is recorded once it ends. */
  function send(taken: ClaimedDelivery[]): void {
    sending += taken.length
    for (const c of taken)
      track(
        attempt(c)
          .finally(() => sending--)
          .then((outcome) => recorder.add(c, outcome)),
      )
  }

  function track(work: Promise<void>): void {
    inflight.add(work)
    work.then(
      () => {
        inflight.delete(work)
        // Due work was left behind when the last claim filled every slot: it goes now. Otherwise
        // there is nothing to look for until new events are written or the poll comes round.
        if (backlog) void pass()
      },
      (err: unknown) => {
        inflight.delete(work)
        opts.log.error({ err }, 'webhook delivery: could not record an attempt')
      },
    )
  }

  async function attempt(c: ClaimedDelivery): Promise<AttemptOutcome> {
    const { statusCode, error, durationMs } = await sender.send({
      url: c.url,
      format: c.format,
      secret_enc: c.secret_enc,
      event_id: c.event_id,
      type: c.type,
      payload: c.payload,
      timestampSec: Math.floor(clock() / 1000),
    })
    const now = clock()
    const ok = error === null
    const gone = statusCode === 410
    const delay = ok || gone ? undefined : retryDelayMs(c.attempt, opts.retryBaseMs)
    const outcome: AttemptOutcome = {
      statusCode,
      durationMs,
      error,
      status: ok ? 'succeeded' : delay === undefined ? 'failed' : 'pending',
      nextAttemptAt: delay === undefined ? null : iso(now + delay),
      at: iso(now),
    }
    return outcome
  }

  return {
    start() {
      if (started) return
      started = true
      unsubscribe = onEventsWritten(() => void pass())
      void pass()
    },
    async stop() {
      started = false
      clearTimeout(timer)
      unsubscribe?.()
      await passing
      await Promise.allSettled([...inflight])
      await recorder.flush()
      await sender.close()
    },
    fanOutTenant: (tenantId) => fanOutTenant(database, tenantId),
    async deliverNow(tenantId, deliveryId) {
      const c = await queue.claimOne(tenantId, deliveryId, iso(clock() + leaseMs))
      if (!c) return false
      // Recorded at once and alone: the caller waits to show the outcome.
      const work = attempt(c).then((outcome) =>
        recordOutcomes(db, [{ c, outcome }], opts.log, opts.retryBaseMs),
      )
      inflight.add(work)
      try {
        await work
      } finally {
        inflight.delete(work)
      }
      return true
    },
  }
}
