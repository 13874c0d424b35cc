import { randomUUID } from 'node:crypto'
import { backendLogger, closeRedisClient, createRedisClient } from '../redis-client.ts'
import type { BusEvent, BusHandler, RealtimeBus } from './bus.ts'

export interface RedisBusOptions {
  url: string
  /** Pub/sub channel shared by every instance of one deployment, e.g. `aurion:bus`. */
  channel: string
  /** Tenant events kept for redelivery while Redis is unreachable (oldest dropped first). */
  maxPending?: number
}

interface Envelope {
  /** Event id: an event seen live and again in a catch-up is delivered once. */
  id: string
  /** Publishing instance: it already delivered the event locally and skips its own echo. */
  src: string
  event: BusEvent
}

/** Entries of the tenant-event log kept for instances catching up after a reconnect. */
const LOG_LENGTH = 1000
/** Remembered event ids; larger than the log so every logged event we saw is remembered. */
const SEEN_LIMIT = 4 * LOG_LENGTH

/**
 * Bus on Redis pub/sub: one channel per deployment and a dedicated subscriber connection.
 * `publish` delivers to this instance's subscribers at once (as the memory bus does) and to
 * every other instance through Redis.
 *
 * `tenant.*` events (key regenerated, widget disabled, config changed) must never be missed, so
 * they are also appended to a capped stream (`<channel>:log`, same MULTI as the PUBLISH): an
 * instance whose subscription dropped replays what it missed once it is back. While Redis is
 * unreachable they wait in a bounded queue and are sent when it returns. `thread.frame` events
 * are live-only: if Redis is down they reach this instance's sockets only (messages are stored
 * before any frame is published, so the history stays complete); so are the inbox's
 * `inbox.event` and `thread.delivered` events.
 */
export function createRedisBus(opts: RedisBusOptions): RealtimeBus {
  const instanceId = randomUUID()
  const channel = opts.channel
  const logKey = `${channel}:log`
  const maxPending = opts.maxPending ?? 1000
  const handlers = new Set<BusHandler>()
  const pending: string[] = []
  const seen = new Set<string>()
  let closed = false

  const pub = createRedisClient(opts.url, { name: 'bus-publish', offlineQueue: false })
  const sub = createRedisClient(opts.url, {
    name: 'bus-subscribe',
    offlineQueue: true,
    // We subscribe on every 'ready' ourselves, to know when events flow and to catch up.
    extra: { autoResubscribe: false },
  })

  const deliver = (event: BusEvent) => {
    for (const h of [...handlers]) {
      try {
        h(event)
      } catch (err) {
        // A failing subscriber must not stop delivery to the others.
        backendLogger()?.warn({ err, type: event.type }, 'bus subscriber failed')
      }
    }
  }
  const remember = (id: string) => {
    seen.add(id)
    if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value!)
  }
  const receive = (message: string) => {
    const env = parseEnvelope(message)
    if (env === undefined) {
      backendLogger()?.warn({ channel }, 'ignored a malformed bus message')
      return
    }
    if (env.src === instanceId) return
    if (isLogged(env.event)) {
      if (seen.has(env.id)) return
      remember(env.id)
    }
    deliver(env.event)
  }

  sub.on('message', (ch: string, message: string) => {
    if (ch === channel) receive(message)
  })

  let subscribed = false
  /** Last log entry this instance has accounted for; undefined until the first catch-up. */
  let lastLogId: string | undefined
  let needsCatchUp = false
  let catchingUp = false
  const catchUp = async () => {
    if (!needsCatchUp || catchingUp || closed || !subscribed || pub.status !== 'ready') return
    catchingUp = true
    try {
      if (lastLogId === undefined) {
        // First subscription: events logged before this instance started are not ours.
        const head = await pub.xrevrange(logKey, '+', '-', 'COUNT', 1)
        lastLogId = head[0]?.[0] ?? '0-0'
      } else {
        for (;;) {
          const entries: [id: string, fields: string[]][] = await pub.xrange(
            logKey,
            `(${lastLogId}`,
            '+',
            'COUNT',
            200,
          )
          for (const [id, fields] of entries) {
            lastLogId = id
            const m = fields[fields.indexOf('m') + 1]
            if (m !== undefined) receive(m)
          }
          if (entries.length < 200) break
        }
      }
      needsCatchUp = false
    } catch (err) {
      backendLogger()?.warn({ err }, 'bus catch-up failed; retrying on reconnect')
    } finally {
      catchingUp = false
    }
  }

  sub.on('close', () => {
    subscribed = false
  })
  sub.on('ready', () => {
    sub.subscribe(channel).then(
      () => {
        subscribed = sub.status === 'ready'
        needsCatchUp = true
        void catchUp()
      },
      (err: unknown) => {
        if (!closed) backendLogger()?.warn({ err }, 'bus subscribe failed; retrying on reconnect')
      },
    )
  })

  /** PUBLISH, plus the log entry for tenant events, atomically. */
  const send = async (message: string, logged: boolean) => {
    if (!logged) {
      await pub.publish(channel, message)
      return
    }
    const results = await pub
      .multi()
      .xadd(logKey, 'MAXLEN', '~', String(LOG_LENGTH), '*', 'm', message)
      .publish(channel, message)
      .exec()
    const failed = results?.find(([err]) => err !== null)
    if (!results || failed) throw failed?.[0] ?? new Error('bus publish aborted')
  }

  let flushing = false
  const flush = async () => {
    if (flushing || closed) return
    flushing = true
    try {
      while (pending.length > 0 && pub.status === 'ready') {
        await send(pending[0]!, true)
        pending.shift()
      }
    } catch {
      // Still down: the next 'ready' flushes again.
    } finally {
      flushing = false
    }
  }
  pub.on('ready', () => {
    void flush()
    void catchUp()
  })

  return {
    async publish(event) {
      if (closed) return
      deliver(event)
      const logged = isLogged(event)
      const env: Envelope = { id: randomUUID(), src: instanceId, event }
      const message = JSON.stringify(env)
      try {
        if (logged && pending.length > 0) await flush()
        await send(message, logged)
      } catch (err) {
        if (!logged) return
        pending.push(message)
        if (pending.length > maxPending) pending.shift()
        backendLogger()?.warn(
          { err, type: event.type, pending: pending.length },
          'bus publish failed; event queued until Redis is back',
        )
      }
    },
    subscribe(handler) {
      handlers.add(handler)
      return () => handlers.delete(handler)
    },
    async ping() {
      if (!subscribed || needsCatchUp) throw new Error('bus subscriber is not connected')
      await pub.ping()
    },
    async close() {
      closed = true
      handlers.clear()
      await Promise.all([closeRedisClient(pub), closeRedisClient(sub)])
    },
  }
}

/** `tenant.*` events are logged (replayed after a lost subscription); the rest are live-only. */
function isLogged(event: BusEvent): boolean {
  return event.type === 'tenant.config_changed' || event.type === 'tenant.sockets_revoked'
}

/** Accepts only well-formed envelopes: a bad message must not reach socket handlers. */
function parseEnvelope(message: string): Envelope | undefined {
  let v: unknown
  try {
    v = JSON.parse(message)
  } catch {
    return undefined
  }
  if (typeof v !== 'object' || v === null) return undefined
  const { id, src, event } = v as { id?: unknown; src?: unknown; event?: unknown }
  if (typeof id !== 'string' || typeof src !== 'string') return undefined
  if (typeof event !== 'object' || event === null) return undefined
  const e = event as Record<string, unknown>
  if (typeof e.tenantId !== 'string') return undefined
  const ok =
    e.type === 'tenant.config_changed' ||
    (e.type === 'tenant.sockets_revoked' && typeof e.reason === 'string') ||
    (e.type === 'thread.frame' &&
      typeof e.threadId === 'string' &&
      typeof e.frame === 'object' &&
      e.frame !== null) ||
    (e.type === 'inbox.event' && typeof e.event === 'object' && e.event !== null) ||
    (e.type === 'thread.delivered' && typeof e.messageId === 'string')
  return ok ? { id, src, event: e as BusEvent } : undefined
}
