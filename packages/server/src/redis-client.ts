import { Redis, type RedisOptions } from 'ioredis'

/** The few logger methods the Redis backends use (pino / Fastify's logger fits). */
export interface BackendLogger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

let backendLog: BackendLogger | undefined

/**
 * Where the Redis backends report connection loss/recovery: the app's logger, set by the ops
 * plugin when an app is built (the backends are created before the app and its logger).
 */
export function setBackendLogger(log: BackendLogger | undefined): void {
  backendLog = log
}

export function backendLogger(): BackendLogger | undefined {
  return backendLog
}

export interface RedisClientOptions {
  /** Shown in logs and as the connection name in `CLIENT LIST`. */
  name: string
  /**
   * `false` (commands): fail at once while disconnected instead of queueing without bound.
   * `true` (subscriber): only SUBSCRIBE is ever queued, replayed on connect.
   */
  offlineQueue: boolean
  /** Extra ioredis options (override the defaults above). */
  extra?: RedisOptions
}

/** Reconnect forever, backing off to one attempt per second. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(100 * attempt, 1000)
}

/**
 * An ioredis connection that never crashes the process and never blocks a request for long:
 * reconnects on its own, fails commands fast while down (bounded by `commandTimeout`), and logs
 * once when the connection is lost and once when it is back.
 */
export function createRedisClient(url: string, opts: RedisClientOptions): Redis {
  const options: RedisOptions = {
    connectionName: `aurion-${opts.name}`,
    enableOfflineQueue: opts.offlineQueue,
    // A command in flight when the connection drops fails instead of being replayed later.
    maxRetriesPerRequest: opts.offlineQueue ? null : 0,
    retryStrategy: reconnectDelayMs,
    connectTimeout: 2000,
    ...(opts.offlineQueue ? {} : { commandTimeout: 1000 }),
    ...opts.extra,
  }
  const client = new Redis(url, options)
  let down = false
  client.on('error', (err: Error) => {
    // Without a listener ioredis would print every failed attempt; log only the transition.
    if (down) return
    down = true
    backendLog?.warn({ err, redis: opts.name }, 'redis connection lost; reconnecting')
  })
  client.on('ready', () => {
    if (!down) return
    down = false
    backendLog?.info({ redis: opts.name }, 'redis connection restored')
  })
  return client
}

/** Closes a connection without waiting on a server that may be gone. */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'end') return
  try {
    if (client.status === 'ready') {
      await Promise.race([client.quit(), new Promise((r) => setTimeout(r, 500).unref())])
    }
  } catch {
    // Already closing or unreachable: disconnect below.
  }
  client.disconnect(false)
}
