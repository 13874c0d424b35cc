import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import {
  buildTestApp,
  createTestDatabase,
  type TestApp,
  testConfig,
} from '../../../test/helpers.ts'
import { eventually, freePort, testRedisUrl } from '../../../test/redis-server.ts'
import type { Agent } from '../../agent/agent.ts'
import { buildApp } from '../../app.ts'
import { connectDb } from '../../db/connect.ts'
import { recordVoiceAgentHeartbeat } from '../../internal/voice-agent-status.ts'
import { createRedisRateLimiter } from '../../limits/redis-rate-limiter.ts'
import { metricsRegistry } from '../../metrics.ts'
import { createRedisBus } from '../../realtime/redis-bus.ts'

const redisUrl = testRedisUrl()

/** An agent whose provider is down: readiness must degrade, not fail. */
const downAgent: Agent = {
  kind: 'test-down',
  reply() {
    throw new Error('not used')
  },
  async check() {
    return { ok: false, reason: 'LLM provider unreachable' }
  },
}

/** Current value of one series of a counter in the process registry (0 when absent). */
async function counterValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = metricsRegistry.getSingleMetric(name)
  if (!metric) return 0
  const { values } = await metric.get()
  const v = values.find((x) =>
    Object.entries(labels).every(([k, want]) => String(x.labels[k]) === want),
  )
  return v?.value ?? 0
}

describe('ops endpoints', () => {
  const open: { close(): Promise<void> }[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()))
  })
  const testApp = async (opts: Parameters<typeof buildTestApp>[0] = {}): Promise<TestApp> => {
    const t = await buildTestApp(opts)
    open.push(t)
    return t
  }

  it('GET /healthz answers without touching dependencies', async () => {
    const { app } = await testApp()
    const res = await app.inject({ method: 'GET', url: '/healthz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
    expect(res.headers['cache-control']).toBe('no-store')
  })

  it('GET /readyz is ready on a reachable database, with no Redis check when none is used', async () => {
    const { app } = await testApp()
    const res = await app.inject({ method: 'GET', url: '/readyz' })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.status).toMatch(/^(ready|degraded)$/)
    expect(body.checks.database).toMatchObject({ ok: true, reason: null })
    expect(typeof body.checks.database.latency_ms).toBe('number')
    expect(body.checks.redis).toBeUndefined()
    expect(body.checks.agent).toHaveProperty('ok')
  })

  it('GET /readyz degrades (200) when only the agent is down', async () => {
    const { app } = await testApp({ deps: { agent: downAgent } })
    const res = await app.inject({ method: 'GET', url: '/readyz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      status: 'degraded',
      checks: {
        database: { ok: true },
        agent: { ok: false, reason: 'LLM provider unreachable' },
      },
    })
  })

  it('GET /readyz reports the voice agent worker only when LiveKit is configured', async () => {
    const livekit = {
      LIVEKIT_URL: 'wss://lk.example.test',
      LIVEKIT_API_KEY: 'APIkey',
      LIVEKIT_API_SECRET: 'secret-secret-secret-secret-secret-secret',
    }
    const plain = await testApp()
    const noVoice = (await plain.app.inject({ method: 'GET', url: '/readyz' })).json()
    expect(noVoice.checks.voice_agent).toBeUndefined()

    const t = await testApp({ env: livekit })
    const before = await t.app.inject({ method: 'GET', url: '/readyz' })
    expect(before.statusCode).toBe(200)
    expect(before.json()).toMatchObject({
      status: 'degraded',
      checks: { voice_agent: { ok: false, workers: 0 } },
    })
    expect(before.json().checks.voice_agent.reason).toContain('aurion-voice-agent')

    await recordVoiceAgentHeartbeat(t.db, {
      workerId: 'w1',
      agentName: 'aurion-voice-agent',
      status: 'registered',
      activeJobs: 0,
      version: null,
      livekitWorkerId: null,
    })
    const after = (await t.app.inject({ method: 'GET', url: '/readyz' })).json()
    expect(after.checks.voice_agent).toMatchObject({ ok: true, reason: null, workers: 1 })
  })

  it('GET /readyz is 503 with {"detail"} when the database is gone', async () => {
    const t = await testApp()
    await t.database.close()
    const res = await t.app.inject({ method: 'GET', url: '/readyz' })
    expect(res.statusCode).toBe(503)
    expect(res.headers['retry-after']).toBe('5')
    expect(res.json()).toMatchObject({
      detail: 'Not ready: database unavailable',
      status: 'not_ready',
      checks: { database: { ok: false, reason: 'database unreachable' } },
    })
    // Reopen-proof close for afterEach.
    open.splice(open.indexOf(t), 1)
    await t.app.close()
  })

  it('answers 503 (not 500) and reports not ready when PostgreSQL cannot be reached', async () => {
    const port = await freePort()
    const database = await connectDb({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/x` })
    const app = await buildApp(testConfig(), { database })
    open.push({ close: () => app.close().then(() => database.close()) })
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/voice-widget/config',
      headers: { 'x-api-key': 'itsm_sk_live_whatever' },
    })
    expect(res.statusCode).toBe(503)
    expect(res.headers['retry-after']).toBe('2')
    expect(res.json()).toEqual({
      detail: 'Service temporarily unavailable (database unreachable). Please retry.',
    })
    const ready = await app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.statusCode).toBe(503)
    expect(ready.body).not.toContain(String(port))
    expect(ready.json().checks.database.ok).toBe(false)
  })

  describe.skipIf(!redisUrl)('with Redis backends', () => {
    it('checks Redis: ready when reachable', async () => {
      const prefix = `aurion-test-${randomBytes(4).toString('hex')}:`
      const limiter = createRedisRateLimiter({ url: redisUrl!, keyPrefix: prefix })
      const bus = createRedisBus({ url: redisUrl!, channel: `${prefix}bus` })
      const { app } = await testApp({ deps: { limiter, bus } })
      const res = await eventually(async () => {
        const r = await app.inject({ method: 'GET', url: '/readyz' })
        expect(r.statusCode).toBe(200)
        return r
      })
      expect(res.json().checks.redis).toMatchObject({ ok: true, reason: null })
    })

    it('is 503 when Redis is unreachable, without leaking its address', async () => {
      const port = await freePort()
      const url = `redis://127.0.0.1:${port}`
      const limiter = createRedisRateLimiter({ url, keyPrefix: 'x:' })
      const bus = createRedisBus({ url, channel: 'x:bus' })
      const { app } = await testApp({ deps: { limiter, bus } })
      const res = await app.inject({ method: 'GET', url: '/readyz' })
      expect(res.statusCode).toBe(503)
      expect(res.json()).toMatchObject({
        detail: 'Not ready: redis unavailable',
        checks: { database: { ok: true }, redis: { ok: false, reason: 'redis unreachable' } },
      })
      expect(res.body).not.toContain(String(port))
    })
  })

  it('GET /metrics serves Prometheus text with request counts by route pattern and status', async () => {
    const { app } = await testApp()
    const labels = { method: 'GET', route: '/healthz', status_code: '200' }
    const before = await counterValue('aurion_http_requests_total', labels)
    await app.inject({ method: 'GET', url: '/healthz' })
    await app.inject({ method: 'GET', url: '/healthz' })
    const junk = `nope-${randomBytes(6).toString('hex')}`
    expect((await app.inject({ method: 'GET', url: `/${junk}` })).statusCode).toBe(404)

    const res = await app.inject({ method: 'GET', url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(await counterValue('aurion_http_requests_total', labels)).toBe(before + 2)
    const text = res.body
    expect(text).toContain('# TYPE aurion_http_request_duration_seconds histogram')
    expect(text).toMatch(
      /aurion_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/healthz",status_code="200"\} \d+/,
    )
    expect(text).toMatch(
      /aurion_http_requests_total\{method="GET",route="unmatched",status_code="404"\}/,
    )
    // Unknown paths are one series, not one per URL (no label explosion from scanners).
    expect(text).not.toContain(junk)
    for (const name of [
      'aurion_websocket_connections_open',
      'aurion_agent_reply_duration_seconds',
      'aurion_rate_limit_rejections_total',
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name} `)
    }
  })
})

describe('open sockets gauge', () => {
  it('follows WebSocket connections of any route', async () => {
    const database = await createTestDatabase('sqlite')
    const app = await buildApp(testConfig(), { database })
    app.get('/test-ops-ws', { websocket: true }, (socket) => {
      socket.on('message', (m) => socket.send(m))
    })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const gauge = () => counterValue('aurion_websocket_connections_open', {})
    try {
      const before = await gauge()
      const { port } = app.server.address() as AddressInfo
      const ws = new WebSocket(`ws://127.0.0.1:${port}/test-ops-ws`)
      await new Promise((resolve, reject) => {
        ws.once('open', resolve)
        ws.once('error', reject)
      })
      expect(await gauge()).toBe(before + 1)
      ws.close()
      await eventually(async () => expect(await gauge()).toBe(before))
    } finally {
      await app.close()
      await database.close()
    }
  })
})
