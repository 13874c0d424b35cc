import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { eventually, startTestRedisServer, testRedisUrl } from '../../test/redis-server.ts'
import { collector, realtimeBusContract, revoked } from './bus.contract.ts'
import type { BusEvent, RealtimeBus } from './bus.ts'
import { createRedisBus } from './redis-bus.ts'

const redisUrl = testRedisUrl()

if (redisUrl) {
  realtimeBusContract('Redis bus', async () => {
    const channel = `aurion-test-${randomBytes(6).toString('hex')}:bus`
    const open: RealtimeBus[] = []
    return {
      async instance() {
        const b = createRedisBus({ url: redisUrl, channel })
        open.push(b)
        await eventually(() => b.ping!(), { timeoutMs: 5000 })
        return b
      },
      async close() {
        await Promise.all(open.splice(0).map((b) => b.close()))
      },
    }
  })
}

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

  it('stops delivering after close, and says so', async () => {
    const a = await bus()
    const b = await bus()
    const got: BusEvent[] = []
    b.subscribe((e) => got.push(e))
    const onC = collector(await bus())
    await a.publish(revoked('first'))
    await onC.next(1)
    await b.close()
    await a.publish(revoked('second'))
    // C hears the second event; B, closed, must not have heard it by then (nor ever).
    await onC.next(2)
    expect(got.map((e) => e.tenantId)).toEqual(['first'])
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
