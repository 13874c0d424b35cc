import type { CallTarget } from './internal-client.ts'

export interface CallEndLogger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

export interface CallEndDeps {
  /** Reports the end of a call that started (the server sends `voice.call.ended`). */
  report: (target: CallTarget, durationSeconds: number) => Promise<void>
  /** Leaves the room: the job's shutdown. */
  shutdown: (reason: string) => void
  logger: CallEndLogger
  now?: () => number
}

/** What the ending needs of a running call. */
export interface EndableCall {
  close(): Promise<void>
}

/**
 * How a job's call ends, whatever ends it (the visitor left, nobody joined, a person took over,
 * the worker shuts down): the session closes and its turns are stored, a call that started is
 * reported once, then the job leaves the room. `end` runs once; `shutdown` is the job's shutdown
 * callback and reports too when the framework ends the job first.
 */
export class CallEnd {
  #ended = false
  #call: EndableCall | undefined
  #started: { target: CallTarget; at: number } | undefined
  #reported: Promise<void> | undefined
  readonly #now: () => number

  constructor(private readonly deps: CallEndDeps) {
    this.#now = deps.now ?? Date.now
  }

  get ended(): boolean {
    return this.#ended
  }

  /** The call is running: from now on its end is reported. */
  started(target: CallTarget, call: EndableCall): void {
    this.#call = call
    this.#started = { target, at: this.#now() }
  }

  /** Ends the call and leaves the room; later calls do nothing. */
  end(reason: string): void {
    if (this.#ended) return
    this.#ended = true
    this.deps.logger.info({ reason }, 'ending the call')
    void this.#close()
      .then(() => this.report())
      .finally(() => this.deps.shutdown(reason))
  }

  /** The job's shutdown callback: the call is closed and reported (once) before the job exits. */
  async shutdown(): Promise<void> {
    await this.#close()
    await this.report()
  }

  /** Reports the end of a call that started, once; a failed report is logged. */
  report(): Promise<void> {
    const started = this.#started
    if (!started) return Promise.resolve()
    this.#reported ??= this.deps
      .report(started.target, (this.#now() - started.at) / 1000)
      .catch((err: unknown) =>
        this.deps.logger.warn({ err }, 'could not report the end of the call'),
      )
    return this.#reported
  }

  async #close(): Promise<void> {
    try {
      await this.#call?.close()
    } catch (err) {
      this.deps.logger.warn({ err }, 'the voice session did not close cleanly')
    }
  }
}
