import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { eventually, startTestRedisServer, testRedisUrl } from '../../test/redis-server.ts'
import type { BusEvent, RealtimeBus } from './bus.ts'
import { createRedisBus } from './redis-bus.ts'

const redisUrl = testRedisUrl()

/** Collects events; `next(n)` resolves once n events have arrived. */
function collector(bus: RealtimeBus) {
  const events: BusEvent[] = []
  const waiters: { n: number; resolve: () => void }[] = []
  bus.subscribe((e) => {
    events.push(e)
    for (const w of waiters.splice(0)) {
      if (events.length >= w.n) w.resolve()
      else waiters.push(w)
    }
  })
  return {
    events,
    next(n: number, timeoutMs = 3000): Promise<BusEvent[]> {
      if (events.length >= n) return Promise.resolve(events)
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`got ${events.length} of ${n} events`)),
          timeoutMs,
        )
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(t)
            resolve(events)
          },
        })
      })
    },
  }
}

const revoked = (tenantId: string): BusEvent => ({
  type: 'tenant.sockets_revoked',
  tenantId,
  reason: 'key_regenerated',
})

describe.skipIf(!redisUrl)('Redis bus (pub/sub between instances)', () => {
  const channel = `aurion-test-${randomBytes(6).toString('hex')}:bus`
  const open: RealtimeBus[] = []
  let raw: Redis

  const bus = async (ch = channel) => {
    const b = createRedisBus({ url: redisUrl!, channel: ch })
    open.push(b)
    await eventually(() => b.ping!(), { timeoutMs: 5000 })
    return b
  }

  beforeAll(() => {
    raw = new Redis(redisUrl!)
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()))
  })
  afterAll(() => {
    raw.disconnect()
  })

  it('delivers an event to every instance, and once (no echo) to the publisher', async () => {
    const a = await bus()
    const b = await bus()
    const c = await bus()
    const onA = collector(a)
    const onB = collector(b)
    const onC = collector(c)
    const event = revoked('t-1')
    await a.publish(event)
    expect(await onB.next(1)).toEqual([event])
    expect(await onC.next(1)).toEqual([event])
    // Local delivery is immediate; wait for a later event before asserting there was no echo.
    await a.publish({ type: 'tenant.config_changed', tenantId: 't-1' })
    await onB.next(2)
    expect(onA.events).toEqual([event, { type: 'tenant.config_changed', tenantId: 't-1' }])
  })

  it('keeps the order of one instance’s frames', async () => {
    const a = await bus()
    const b = await bus()
    const onB = collector(b)
    for (let i = 0; i < 200; i++) {
      void a.publish({
        type: 'thread.frame',
        tenantId: 't',
        threadId: 'th',
        frame: { type: 'chunk', index: i, chunk: `c${i}` },
      })
    }
    const got = await onB.next(200)
    expect(got.map((e) => (e.type === 'thread.frame' ? e.frame.index : -1))).toEqual(
      Array.from({ length: 200 }, (_, i) => i),
    )
  })

  it('does not leak between deployments on different channels', async () => {
    const a = await bus()
    const other = await bus(`${channel}:other`)
    const onOther = collector(other)
    const onSame = collector(await bus())
    await a.publish(revoked('t-2'))
    await onSame.next(1)
    await other.publish(revoked('marker'))
    expect((await onOther.next(1)).map((e) => e.tenantId)).toEqual(['marker'])
  })

  it('ignores malformed messages on the channel and keeps delivering', async () => {
    const b = await bus()
    const onB = collector(b)
    const junk = [
      'not json',
      '42',
      'null',
      JSON.stringify({ id: 'j1', src: 'x' }),
      JSON.stringify({ src: 'x', event: { type: 'tenant.config_changed', tenantId: 't' } }),
      JSON.stringify({
        id: 'j2',
        src: 'x',
        event: { type: 'tenant.sockets_revoked', tenantId: 't' },
      }),
      JSON.stringify({ id: 'j3', src: 'x', event: { type: 'nope', tenantId: 't' } }),
      JSON.stringify({
        id: 'j4',
        src: 'x',
        event: { type: 'thread.frame', tenantId: 't', threadId: 1 },
      }),
      JSON.stringify({ id: 'j5', src: 'x', event: { type: 'tenant.config_changed', tenantId: 7 } }),
    ]
    for (const m of junk) await raw.publish(channel, m)
    const good = { type: 'tenant.config_changed', tenantId: 'ok' }
    await raw.publish(channel, JSON.stringify({ id: 'g1', src: 'elsewhere', event: good }))
    expect(await onB.next(1)).toEqual([good])
  })

  it('delivers a tenant event once even when it arrives twice', async () => {
    const b = await bus()
    const onB = collector(b)
    const twice = JSON.stringify({ id: 'dup-1', src: 'elsewhere', event: revoked('dup') })
    await raw.publish(channel, twice)
    await raw.publish(channel, twice)
    await raw.publish(
      channel,
      JSON.stringify({ id: 'dup-2', src: 'elsewhere', event: revoked('marker') }),
    )
    expect((await onB.next(2)).map((e) => e.tenantId)).toEqual(['dup', 'marker'])
  })

  it('keeps delivering to other subscribers when one throws', async () => {
    const a = await bus()
    const b = await bus()
    b.subscribe(() => {
      throw new Error('subscriber bug')
    })
    const onB = collector(b)
    a.subscribe(() => {
      throw new Error('local subscriber bug')
    })
    const onA = collector(a)
    await a.publish(revoked('t-3'))
    expect(await onB.next(1)).toHaveLength(1)
    expect(onA.events).toHaveLength(1)
  })

  it('stops delivering after unsubscribe and after close', async () => {
    const a = await bus()
    const b = await bus()
    const got: BusEvent[] = []
    const off = b.subscribe((e) => got.push(e))
    const onB = collector(b)
    await a.publish(revoked('first'))
    await onB.next(1)
    off()
    await a.publish(revoked('second'))
    await onB.next(2)
    expect(got.map((e) => e.tenantId)).toEqual(['first'])
    await b.close()
    await expect(b.ping!()).rejects.toThrow()
  })
})

describe.skipIf(!redisUrl)('Redis bus across a Redis restart', () => {
  it('queues tenant events while Redis is down, delivers them after, and reconnects alone', async () => {
    const redis = await startTestRedisServer()
    const a = createRedisBus({ url: redis.url, channel: 'restart:bus' })
    const b = createRedisBus({ url: redis.url, channel: 'restart:bus' })
    try {
      await eventually(() => Promise.all([a.ping!(), b.ping!()]), { timeoutMs: 5000 })
      const onA = collector(a)
      const onB = collector(b)

      await redis.stop()
      await eventually(() => expect(a.ping!()).rejects.toThrow(), { timeoutMs: 3000 })
      // Publishing during the outage neither throws nor blocks; local sockets still hear it.
      await a.publish(revoked('during-outage'))
      await a.publish({ type: 'thread.frame', tenantId: 't', threadId: 'th', frame: { i: 1 } })
      expect(onA.events.map((e) => e.type)).toEqual(['tenant.sockets_revoked', 'thread.frame'])
      expect(onB.events).toEqual([])

      await redis.start()
      // The revocation reaches B once both connections are back; the stale frame does not.
      expect(await onB.next(1, 8000)).toEqual([revoked('during-outage')])
      await eventually(() => Promise.all([a.ping!(), b.ping!()]), { timeoutMs: 5000 })
      await a.publish(revoked('after'))
      const got = await onB.next(2)
      expect(got.map((e) => (e.type === 'thread.frame' ? 'frame' : e.tenantId))).toEqual([
        'during-outage',
        'after',
      ])
    } finally {
      await Promise.all([a.close(), b.close()])
      await redis.close()
    }
  })

  it('replays tenant events an instance missed while its subscription was down', async () => {
    const redis = await startTestRedisServer()
    const raw = new Redis(redis.url)
    const a = createRedisBus({ url: redis.url, channel: 'partition:bus' })
    const b = createRedisBus({ url: redis.url, channel: 'partition:bus' })
    try {
      await eventually(() => Promise.all([a.ping!(), b.ping!()]), { timeoutMs: 5000 })
      const onB = collector(b)
      // Drop every subscriber connection, then publish before they are back: no one hears it live.
      await raw.client('KILL', 'TYPE', 'pubsub')
      await a.publish(revoked('missed'))
      await a.publish({ type: 'thread.frame', tenantId: 't', threadId: 'th', frame: { i: 1 } })
      expect(await onB.next(1, 5000)).toEqual([revoked('missed')])
      await eventually(() => Promise.all([a.ping!(), b.ping!()]), { timeoutMs: 5000 })
      await a.publish(revoked('live'))
      expect((await onB.next(2)).map((e) => e.tenantId)).toEqual(['missed', 'live'])
    } finally {
      raw.disconnect()
      await Promise.all([a.close(), b.close()])
      await redis.close()
    }
  })
})
