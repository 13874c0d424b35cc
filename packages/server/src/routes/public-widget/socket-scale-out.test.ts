import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestDatabase,
  createTestTenant,
  forEachDialect,
  type TestTenant,
  testConfig,
} from '../../../test/helpers.ts'
import { eventually, testRedisUrl } from '../../../test/redis-server.ts'
import { createScriptedAgent, ORIGIN, postWidget } from '../../../test/widget-support.ts'
import { listenForTests, openSocket, type TestSocket } from '../../../test/ws-client.ts'
import { buildApp } from '../../app.ts'
import type { DbHandle } from '../../db/connect.ts'
import { createRedisRateLimiter } from '../../limits/redis-rate-limiter.ts'
import { createRedisBus } from '../../realtime/redis-bus.ts'

const redisUrl = testRedisUrl()

// Two instances on one database, one Redis: what a load-balanced deployment looks like.
describe.skipIf(!redisUrl)('public widget API on two instances (Redis bus and limiter)', () => {
  forEachDialect('scale-out', (dialect) => {
    let database: DbHandle
    let one: FastifyInstance
    let two: FastifyInstance
    let tenant: TestTenant
    const sockets: TestSocket[] = []

    beforeAll(async () => {
      database = await createTestDatabase(dialect)
      const prefix = `aurion-test-${randomBytes(6).toString('hex')}`
      const instance = async () => {
        const bus = createRedisBus({ url: redisUrl!, channel: `${prefix}:bus` })
        const app = await buildApp(testConfig(), {
          database,
          agent: createScriptedAgent(),
          bus,
          limiter: createRedisRateLimiter({ url: redisUrl!, keyPrefix: `${prefix}:` }),
        })
        // Live frames only reach instances whose subscription is up.
        await eventually(async () => bus.ping?.())
        return app
      }
      one = await instance()
      two = await instance()
      tenant = await createTestTenant(database.db)
    })
    afterAll(async () => {
      for (const s of sockets) s.ws.terminate()
      await one.close()
      await two.close()
      await database.close()
    })

    const socketOn = async (app: FastifyInstance, query: Record<string, string> = {}) => {
      const q = new URLSearchParams({
        tenant_id: tenant.tenantId,
        public_key: tenant.publicKey,
        ...query,
      })
      const s = openSocket(`${await listenForTests(app)}/api/v1/widget/ws?${q}`, { origin: ORIGIN })
      sockets.push(s)
      await s.opened
      expect(await s.pongNext()).toEqual({ type: 'pong' })
      await s.ready()
      return s
    }
    const post = (app: FastifyInstance, body: Record<string, unknown>) =>
      postWidget(app, '/api/v1/widget/messages', {
        tenant_id: tenant.tenantId,
        public_key: tenant.publicKey,
        ...body,
      })

    it("streams a message sent to one instance to a socket on the other, and counts both instances' messages in one limit", async () => {
      const first = await post(one, { body: 'hello', source_thread_id: 'scale-thread' })
      expect(first.statusCode).toBe(200)
      const watcher = await socketOn(one, { source_thread_id: 'scale-thread' })
      const res = await post(two, {
        body: 'from the other instance',
        source_thread_id: 'scale-thread',
      })
      expect(res.statusCode).toBe(200)
      const frames = await watcher.until('done')
      expect(frames.map((f) => f.type)).toEqual([
        'message',
        'typing',
        'chunk',
        'chunk',
        'chunk',
        'done',
      ])
      expect(frames.at(-1)).toMatchObject({ ai_message_id: res.json().ai_message_id })

      // 2 sent so far; 58 more alternating between instances, then the 61st is refused.
      for (let i = 0; i < 58; i++) {
        expect((await post(i % 2 ? one : two, { body: `m${i}` })).statusCode).toBe(200)
      }
      const limited = await post(one, { body: 'one too many' })
      expect(limited.statusCode).toBe(429)
      expect(limited.headers['x-ratelimit-limit']).toBe('60')
    })

    it('closes a socket on one instance when the key is regenerated on the other', async () => {
      const s = await socketOn(one)
      const res = await two.inject({
        method: 'POST',
        url: '/api/v1/voice-widget/config/regenerate-key',
        headers: { 'x-api-key': tenant.apiKey },
      })
      expect(res.statusCode).toBe(200)
      // Whichever arrives first closes it: the revocation, or the re-check after config_changed.
      const closed = await s.closed
      expect(closed.code).toBe(1008)
      expect(['Widget key regenerated', 'Invalid widget credentials or widget disabled']).toContain(
        closed.reason,
      )
    })
  })
})
