import { existsSync } from 'node:fs'
import { cpus } from 'node:os'
import { Worker } from 'node:worker_threads'
import {
  type AttemptRequest,
  type AttemptResult,
  type AttemptSettings,
  createAttemptMaker,
} from './attempt.ts'

/** Makes the webhook worker's attempts (attempt.ts), here or in a thread of its own. */
export interface DeliverySender {
  send(req: AttemptRequest): Promise<AttemptResult>
  /** Lets go of what it holds (the worker waits for the attempts in flight first). */
  close(): Promise<void>
}

/** Makes attempts on the event loop that serves the requests. */
export function createInlineSender(settings: AttemptSettings): DeliverySender {
  const make = createAttemptMaker(settings)
  return { send: make, close: async () => {} }
}

/** What the send thread is told at its start (workerData). */
export interface SendThreadData {
  settings: AttemptSettings
}

/** What it answers for request `id`. */
export type ThreadAnswer = { id: number; result: AttemptResult }

/**
 * Makes attempts in a thread of its own: unsealing the endpoint's secret, signing, connecting,
 * writing and reading no longer take turns with the messages whose events they carry (ten
 * endpoints make some thirty attempts per visitor message). The event loop keeps the queue's
 * bookkeeping (fan-out, claims, records). The thread runs at the process's priority: a lower one
 * was tried and changed nothing for the messages' latency, while a starved thread's attempts
 * ran into their time limit and were sent again.
 *
 * The thread starts on the first attempt. If it dies, the attempts in flight fail with the reason
 * (and are retried on the schedule) and the next one starts another thread.
 * `AURION_WEBHOOK_SEND_THREAD=false` makes them on the event loop instead (createInlineSender).
 */
export function createThreadSender(settings: AttemptSettings): DeliverySender {
  let worker: Worker | undefined
  let nextId = 1
  const waiting = new Map<number, (r: AttemptResult) => void>()

  /** Every attempt in flight ends as a failure with this reason (the lease is kept: retried). */
  const failAll = (why: string) => {
    for (const resolve of waiting.values()) resolve({ statusCode: null, error: why, durationMs: 0 })
    waiting.clear()
  }

  const start = (): Worker => {
    const workerData: SendThreadData = { settings }
    const w = new Worker(THREAD_ENTRY, { workerData })
    w.unref()
    w.on('message', (a: ThreadAnswer) => {
      const resolve = waiting.get(a.id)
      waiting.delete(a.id)
      resolve?.(a.result)
    })
    w.on('error', (err) => {
      if (worker === w) worker = undefined
      failAll(`The webhook send thread failed: ${err.message}`)
    })
    w.on('exit', (code) => {
      if (worker === w) worker = undefined
      failAll(`The webhook send thread stopped (${code})`)
    })
    return w
  }

  return {
    send(req) {
      worker ??= start()
      const w = worker
      const id = nextId++
      return new Promise((resolve) => {
        waiting.set(id, resolve)
        w.postMessage({ id, req })
      })
    },
    async close() {
      const w = worker
      worker = undefined
      failAll('The webhook sender was closed')
      if (w) await w.terminate()
    },
  }
}

/** The thread's entry, beside this file (plain JavaScript: see it). */
const THREAD_ENTRY = new URL('./send-thread.mjs', import.meta.url)

/**
 * The sender the server uses: a thread of its own (createThreadSender) when `thread` is set and
 * the machine has more than one core (on one, a thread would only take turns with the event
 * loop), else the event loop. A server bundled into one file (the crash bench's) has no thread
 * entry beside it: it sends on the event loop.
 */
export function createDeliverySender(settings: AttemptSettings, thread: boolean): DeliverySender {
  return thread && cpus().length > 1 && existsSync(THREAD_ENTRY)
    ? createThreadSender(settings)
    : createInlineSender(settings)
}
