import websocket from '@fastify/websocket'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestDatabase,
  createTestTenant,
  type TestApp,
  type TestTenant,
  testConfig,
} from '../../../test/helpers.ts'
import { createScriptedAgent, ORIGIN } from '../../../test/widget-support.ts'
import { type Frame, listenForTests, openSocket } from '../../../test/ws-client.ts'
import { WS_MAX_PAYLOAD } from '../../app.ts'
import { createMessagesInFlight } from '../../conversations/in-flight.ts'
import type { DbHandle } from '../../db/connect.ts'
import { rateLimitStoreUnavailable } from '../../errors.ts'
import { createMemoryRateLimiter } from '../../limits/memory-rate-limiter.ts'
import { createNoMailer } from '../../mail/mailer.ts'
import { createMemoryBus } from '../../realtime/memory-bus.ts'
import { createValidatorCompiler } from '../../validation.ts'
import { createVoiceEviction } from '../../voice/voice-eviction.ts'
import { widgetSocketRoutes } from './socket/index.ts'

const _types = (frames: Frame[]) => frames.map((f) => f.type)

describe('WS heartbeat', () => {
  let app: FastifyInstance
  let database: DbHandle
  let tenant: TestTenant
  let base: string
  beforeAll(async () => {
    database = await createTestDatabase('sqlite')
    tenant = await createTestTenant(database.db)
    const config = testConfig()
    app = Fastify()
    app.setValidatorCompiler(createValidatorCompiler())
    await app.register(websocket, { options: { maxPayload: WS_MAX_PAYLOAD } })
    const ctx = {
      config,
      database,
      db: database.db,
      limiter: createMemoryRateLimiter(),
      bus: createMemoryBus(),
      agent: createScriptedAgent(),
      mailer: createNoMailer(),
      voiceEviction: createVoiceEviction(undefined),
      inflight: createMessagesInFlight(),
      wsHeartbeatMs: 40,
    }
    await app.register(async (scope) => widgetSocketRoutes(scope, ctx))
    base = `${await listenForTests(app)}/api/v1/widget/ws?tenant_id=${tenant.tenantId}&public_key=${tenant.publicKey}`
  })
  afterAll(async () => {
    await app.close()
    await database.close()
  })

  it('keeps a socket that answers pings and drops one that does not', async () => {
    const live = openSocket(base, { origin: ORIGIN })
    const dead = openSocket(base, { origin: ORIGIN }, { autoPong: false })
    await Promise.all([live.opened, dead.opened])
    const closed = await dead.closed
    expect(closed.code).toBe(1006)
    expect(dead.pings).toBeGreaterThanOrEqual(1)
    // The live socket has seen pings over the same time and is still answered.
    expect(live.pings).toBeGreaterThanOrEqual(1)
    expect(await live.pongNext()).toEqual({ type: 'pong' })
    live.close()
  })
})

describe('WS during a backend outage', () => {
  let t: TestApp
  let tenant: TestTenant
  let base: string
  beforeAll(async () => {
    const limiter = createMemoryRateLimiter()
    t = await buildTestApp({
      deps: {
        agent: createScriptedAgent(),
        limiter: {
          // The shared rate-limit store is down: every check fails as it would with Redis gone
          // (a networked store has no synchronous consume).
          consume: async () => {
            throw rateLimitStoreUnavailable()
          },
          refund: async () => {
            throw rateLimitStoreUnavailable()
          },
          close: () => limiter.close(),
        },
      },
    })
    tenant = await createTestTenant(t.db)
    base = `${await listenForTests(t.app)}/api/v1/widget/ws?tenant_id=${tenant.tenantId}&public_key=${tenant.publicKey}`
  })
  afterAll(async () => t.close())

  it('closes with 1013 (retry later) and says why, instead of 1008 (which means: give up)', async () => {
    const s = openSocket(base, { origin: ORIGIN })
    const closed = await s.closed
    expect(closed.code).toBe(1013)
    expect(s.frames).toContainEqual(
      expect.objectContaining({ type: 'error', code: 'rate_limit_store_unavailable' }),
    )
  })
})
