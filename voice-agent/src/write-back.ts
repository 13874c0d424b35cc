import { InternalApiConnectionError, InternalApiError } from './internal-client.ts'

export interface WriteBackLogger {
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

/**
 * Writes to the conversation one at a time, in the order they were queued, so the stored
 * conversation reads like the call did. Every write is idempotent on the server (segment ids),
 * so a transient failure is retried; a write that keeps failing is logged, never thrown into
 * the call.
 */
export class WriteBack {
  #tail: Promise<void> = Promise.resolve()
  readonly #retryDelaysMs: number[]

  constructor(
    private readonly logger: WriteBackLogger,
    opts: { retryDelaysMs?: number[] } = {},
  ) {
    this.#retryDelaysMs = opts.retryDelaysMs ?? [250, 1000, 3000]
  }

  /** Queues a write; resolves once it is stored (or given up on). */
  enqueue(label: string, write: () => Promise<unknown>): Promise<void> {
    const run = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await write()
          return
        } catch (err) {
          const delay = this.#retryDelaysMs[attempt]
          if (delay === undefined || !isTransient(err)) {
            this.logger.error({ err, label }, 'could not store a call turn in the conversation')
            return
          }
          this.logger.warn({ err, label, attempt: attempt + 1 }, 'retrying a conversation write')
          await new Promise((r) => setTimeout(r, delay))
        }
      }
    }
    const next = this.#tail.then(run)
    this.#tail = next
    return next
  }

  /** Resolves when every write queued so far is done. */
  idle(): Promise<void> {
    return this.#tail
  }
}

function isTransient(err: unknown): boolean {
  if (err instanceof InternalApiConnectionError) return true
  if (err instanceof InternalApiError) return err.status >= 500 || err.status === 429
  return false
}
