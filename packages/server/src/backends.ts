import type { Config } from './config.ts'
import { createMemoryRateLimiter } from './limits/memory-rate-limiter.ts'
import type { RateLimiter } from './limits/rate-limiter.ts'
import { createRedisRateLimiter } from './limits/redis-rate-limiter.ts'
import { scaleRateLimits } from './limits/scaled-rate-limiter.ts'
import { createMailer } from './mail/create-mailer.ts'
import type { Mailer } from './mail/mailer.ts'
import type { RealtimeBus } from './realtime/bus.ts'
import { createMemoryBus } from './realtime/memory-bus.ts'
import { createRedisBus } from './realtime/redis-bus.ts'

/** The shared-state backends of one instance, as chosen by the configuration. */
export interface Backends {
  /** `redis` when `REDIS_URL` is set: limits and realtime events are shared by every instance. */
  readonly kind: 'memory' | 'redis'
  readonly limiter: RateLimiter
  readonly bus: RealtimeBus
  /** Outgoing mail: SMTP when `AURION_SMTP_URL` is set, else none (whatever `kind` is). */
  readonly mailer: Mailer
  /** Closes them all; `buildApp`'s onClose hook already does this for an app built on them. */
  close(): Promise<void>
}

/**
 * `REDIS_URL` set → Redis rate limiter + Redis pub/sub bus (keys and channel under
 * `AURION_REDIS_PREFIX`); otherwise the in-process ones (one instance only). Redis connections
 * are made in the background: until they are up, requests that need them answer 503 and
 * `/readyz` reports not ready. Limits are scaled by `AURION_RATE_LIMIT_MULTIPLIER`. Mail goes
 * out over SMTP when `AURION_SMTP_URL` is set.
 */
export function createBackends(config: Config): Backends {
  const mailer = createMailer(config)
  if (config.redisUrl === undefined) {
    const limiter = scaleRateLimits(createMemoryRateLimiter(), config.rateLimitMultiplier)
    const bus = createMemoryBus()
    return {
      kind: 'memory',
      limiter,
      bus,
      mailer,
      close: async () => {
        await Promise.all([limiter.close(), bus.close(), mailer.close()])
      },
    }
  }
  const prefix = config.redisKeyPrefix
  const limiter = scaleRateLimits(
    createRedisRateLimiter({ url: config.redisUrl, keyPrefix: prefix }),
    config.rateLimitMultiplier,
  )
  const bus = createRedisBus({ url: config.redisUrl, channel: `${prefix}bus` })
  return {
    kind: 'redis',
    limiter,
    bus,
    mailer,
    close: async () => {
      await Promise.all([limiter.close(), bus.close(), mailer.close()])
    },
  }
}
