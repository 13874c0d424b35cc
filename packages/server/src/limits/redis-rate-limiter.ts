import type { Redis } from 'ioredis'
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import { rateLimitStoreUnavailable } from '../errors.ts'
import { closeRedisClient, createRedisClient } from '../redis-client.ts'
import type { RateLimiter, RateLimitResult, RateLimitRule } from './rate-limiter.ts'

export interface RedisRateLimiterOptions {
  url: string
  /** Prefix of every key, e.g. `aurion:` — lets several deployments share one Redis. */
  keyPrefix: string
}

/**
 * Limiter shared by every instance: rate-limiter-flexible's Redis store, one atomic Lua
 * INCR+PEXPIRE per request. There is deliberately no in-memory fallback: per-instance counters
 * would multiply every limit by the number of instances, so while Redis is unreachable
 * `consume` throws a 503 (`rateLimitStoreUnavailable`) and the request is refused.
 */
export function createRedisRateLimiter(opts: RedisRateLimiterOptions): RateLimiter {
  const client: Redis = createRedisClient(opts.url, { name: 'rate-limit', offlineQueue: false })
  const limiters = new Map<string, RateLimiterRedis>()
  const forRule = (rule: RateLimitRule) => {
    const id = `${rule.bucket}:${rule.limit}:${rule.windowSec}`
    let l = limiters.get(id)
    if (!l) {
      l = new RateLimiterRedis({
        storeClient: client,
        // Fail at once while reconnecting instead of waiting for a command timeout.
        rejectIfRedisNotReady: true,
        keyPrefix: `${opts.keyPrefix}rl:${rule.bucket}:${rule.limit}:${rule.windowSec}`,
        points: rule.limit,
        duration: rule.windowSec,
      })
      limiters.set(id, l)
    }
    return l
  }
  return {
    async consume(rule, key): Promise<RateLimitResult> {
      try {
        const res = await forRule(rule).consume(key)
        return toResult(rule, res, true)
      } catch (err) {
        if (err instanceof RateLimiterRes) return toResult(rule, err, false)
        throw rateLimitStoreUnavailable()
      }
    },
    async refund(rule, key) {
      try {
        // One atomic script: a window that closed meanwhile is not re-created at -1.
        await client.eval(REFUND_LUA, 1, forRule(rule).getKey(key))
      } catch {
        throw rateLimitStoreUnavailable()
      }
    },
    async ping() {
      await client.ping()
    },
    async close() {
      limiters.clear()
      await closeRedisClient(client)
    },
  }
}

/** Decrements a live counter above zero, keeping its expiry; a missing key stays missing. */
const REFUND_LUA = `local v = tonumber(redis.call('get', KEYS[1]))
if v ~= nil and v > 0 then redis.call('decr', KEYS[1]) end
return 0`

/** rate-limiter-flexible rejects with a RateLimiterRes when over the limit. */
function toResult(rule: RateLimitRule, res: RateLimiterRes, allowed: boolean): RateLimitResult {
  return {
    allowed,
    limit: rule.limit,
    remaining: Math.max(0, res.remainingPoints),
    retryAfterSec: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  }
}
