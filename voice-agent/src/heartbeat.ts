import type { HeartbeatInput, InternalClient } from './internal-client.ts'

export interface HeartbeatLogger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export interface Heartbeat {
  /** Reports now (e.g. right after registering) and keeps the schedule. */
  beat(): Promise<void>
  /** Stops the schedule after a last report with the given status. */
  stop(status: HeartbeatInput['status']): Promise<void>
}

/**
 * Reports the worker to the server's internal API every `intervalMs`, so the server's readiness
 * check knows whether a voice agent is registered under the name its tokens dispatch to.
 * Failures are logged, never thrown: the worker keeps serving calls without the server.
 */
export function startHeartbeat(opts: {
  client: InternalClient
  intervalMs: number
  /** The current state, read at each beat. */
  state: () => HeartbeatInput
  logger: HeartbeatLogger
}): Heartbeat {
  let warnedMismatch = false
  let failing = false
  const send = async (state: HeartbeatInput) => {
    try {
      const res = await opts.client.heartbeat(state, AbortSignal.timeout(5000))
      if (failing) opts.logger.info({}, 'heartbeat reaches the Aurion server again')
      failing = false
      if (!res.agent_name_matches && !warnedMismatch) {
        warnedMismatch = true
        opts.logger.error(
          { worker_agent_name: state.agent_name, server_agent_name: res.agent_name },
          'this worker registers under a different agent name than the server dispatches to: calls will not reach it (set AURION_VOICE_AGENT_NAME to the same value on both)',
        )
      }
    } catch (err) {
      if (!failing) opts.logger.warn({ err }, 'heartbeat to the Aurion server failed')
      failing = true
    }
  }
  // One report at a time, in order: a slow early report must never land after a later one
  // (a stale "registered" after "stopped" would claim a worker that is gone).
  let chain: Promise<void> = Promise.resolve()
  const enqueue = (state: () => HeartbeatInput) => {
    chain = chain.then(() => send(state()))
    return chain
  }
  const timer = setInterval(() => void enqueue(opts.state), opts.intervalMs)
  timer.unref()
  void enqueue(opts.state)
  return {
    beat: () => enqueue(opts.state),
    async stop(status) {
      clearInterval(timer)
      await enqueue(() => ({ ...opts.state(), status }))
    },
  }
}
