import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../../test/helpers.ts'
import { rateLimitStoreUnavailable } from '../../errors.ts'
import { createMemoryRateLimiter } from '../../limits/memory-rate-limiter.ts'
import { metricsRegistry } from '../../metrics.ts'
import { EMBED_CONFIG_PATH } from './config-fast-path.ts'

const ORIGIN = 'https://example.com'
/** Headers that differ between any two answers (or only exist on a real socket). */
const VOLATILE = new Set(['date', 'connection', 'keep-alive', 'x-ratelimit-remaining'])

let ipCounter = 0
const freshIp = () => `10.9.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`

interface Answer {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * The same request over a real socket (where the fast path may answer) and through
 * `app.inject` (always Fastify's route), each from its own client address.
 */
async function both(
  t: TestApp,
  base: string,
  req: { headers?: Record<string, string>; body: string },
): Promise<{ socket: Answer; route: Answer }> {
  const headers = { 'content-type': 'application/json', ...req.headers }
  const res = await fetch(base + EMBED_CONFIG_PATH, {
    method: 'POST',
    headers: { ...headers, 'x-forwarded-for': freshIp() },
    body: req.body,
  })
  const socket: Answer = {
    status: res.status,
    headers: Object.fromEntries(res.headers),
    body: await res.text(),
  }
  const injected = await t.app.inject({
    method: 'POST',
    url: EMBED_CONFIG_PATH,
    headers: { ...headers, 'x-forwarded-for': freshIp() },
    payload: req.body,
    remoteAddress: '127.0.0.1',
  })
  const route: Answer = {
    status: injected.statusCode,
    headers: Object.fromEntries(
      Object.entries(injected.headers).map(([k, v]) => [k, String(v)] as const),
    ),
    body: injected.body,
  }
  return { socket, route }
}

/** What must be equal: status, body and every header but the volatile ones. */
function comparable(a: Answer) {
  const headers = Object.fromEntries(
    Object.entries(a.headers).filter(([k]) => !VOLATILE.has(k.toLowerCase())),
  )
  return { status: a.status, headers, body: a.body }
}

async function requestsCounted(status: number): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('aurion_http_requests_total')?.get()
  return (
    metric?.values.find(
      (v) =>
        v.labels.route === EMBED_CONFIG_PATH &&
        v.labels.method === 'POST' &&
        v.labels.status_code === String(status),
    )?.value ?? 0
  )
}

forEachDialect('embed config fast path', (dialect) => {
  let t: TestApp
  let base: string
  let tenant: TestTenant
  let disabled: TestTenant
  const auth = () => ({ tenant_id: tenant.tenantId, public_key: tenant.publicKey })

  beforeAll(async () => {
    // Behind a trusted proxy: X-Forwarded-For names the client, so every case has its own bucket.
    t = await buildTestApp({ dialect, env: { AURION_TRUST_PROXY: '127.0.0.1' } })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
    tenant = await createTestTenant(t.db, {
      config: { enabled: true, allowed_origins: [ORIGIN], display_title: 'Acme help' },
    })
    disabled = await createTestTenant(t.db, {
      name: 'Off',
      config: { enabled: false, allowed_origins: [ORIGIN] },
    })
    // The first request of a tenant reads it through the route (and fills the cache).
    await both(t, base, { headers: { origin: ORIGIN }, body: JSON.stringify(auth()) })
  })
  afterAll(async () => {
    await t.close()
  })

  it('answers the usual request itself, exactly as the route does', async () => {
    const before = t.app.embedConfigFastPath!.answered
    const { socket, route } = await both(t, base, {
      headers: { origin: ORIGIN },
      body: JSON.stringify(auth()),
    })
    expect(t.app.embedConfigFastPath!.answered).toBe(before + 1)
    expect(socket.status).toBe(200)
    expect(comparable(socket)).toEqual(comparable(route))
    expect(JSON.parse(socket.body).display_title).toBe('Acme help')
    expect(socket.headers['access-control-allow-origin']).toBe(ORIGIN)
    expect(socket.headers['x-ratelimit-limit']).toBe('120')
    expect(socket.headers['x-ratelimit-remaining']).toBe('119')
    expect(socket.headers['content-type']).toBe('application/json; charset=utf-8')
  })

  it('counts its answers in the request metrics like the route', async () => {
    const before = await requestsCounted(200)
    await both(t, base, { headers: { origin: ORIGIN }, body: JSON.stringify(auth()) })
    expect(await requestsCounted(200)).toBe(before + 2)
  })

  // Every request of this table must be answered the same way by both; most go back to the route.
  const cases: [string, () => { headers?: Record<string, string>; body: string }, number][] = [
    [
      'extra fields (dropped)',
      () => ({ headers: { origin: ORIGIN }, body: JSON.stringify({ ...auth(), x: 1 }) }),
      200,
    ],
    [
      'charset in the content type',
      () => ({
        headers: { origin: ORIGIN, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(auth()),
      }),
      200,
    ],
    [
      'upper-case tenant id',
      () => ({
        headers: { origin: ORIGIN },
        body: JSON.stringify({ ...auth(), tenant_id: tenant.tenantId.toUpperCase() }),
      }),
      200,
    ],
    [
      'origin with a trailing slash',
      () => ({ headers: { origin: `${ORIGIN}/` }, body: JSON.stringify(auth()) }),
      200,
    ],
    [
      'wrong key',
      () => ({
        headers: { origin: ORIGIN },
        body: JSON.stringify({ ...auth(), public_key: 'vwk_wrongwrongwrongwrongwron' }),
      }),
      403,
    ],
    [
      'key of another tenant',
      () => ({
        headers: { origin: ORIGIN },
        body: JSON.stringify({ ...auth(), public_key: disabled.publicKey }),
      }),
      403,
    ],
    [
      'unknown tenant',
      () => ({
        headers: { origin: ORIGIN },
        body: JSON.stringify({ ...auth(), tenant_id: '00000000-0000-4000-8000-000000000000' }),
      }),
      403,
    ],
    [
      'disabled widget',
      () => ({
        headers: { origin: ORIGIN },
        body: JSON.stringify({ tenant_id: disabled.tenantId, public_key: disabled.publicKey }),
      }),
      403,
    ],
    [
      'origin not allowed',
      () => ({ headers: { origin: 'https://evil.example' }, body: JSON.stringify(auth()) }),
      403,
    ],
    [
      'look-alike origin',
      () => ({
        headers: { origin: 'https://example.com.evil.test' },
        body: JSON.stringify(auth()),
      }),
      403,
    ],
    [
      'origin with a path',
      () => ({ headers: { origin: `${ORIGIN}/page` }, body: JSON.stringify(auth()) }),
      403,
    ],
    ['no origin', () => ({ body: JSON.stringify(auth()) }), 403],
    ['malformed JSON', () => ({ headers: { origin: ORIGIN }, body: '{"tenant_id":' }), 400],
    [
      'prototype poisoning',
      () => ({
        headers: { origin: ORIGIN },
        body: `{"__proto__":{"admin":true},"tenant_id":"${tenant.tenantId}","public_key":"${tenant.publicKey}"}`,
      }),
      400,
    ],
    ['an array', () => ({ headers: { origin: ORIGIN }, body: '[]' }), 422],
    ['null', () => ({ headers: { origin: ORIGIN }, body: 'null' }), 422],
    [
      'tenant id of the wrong type',
      () => ({ headers: { origin: ORIGIN }, body: JSON.stringify({ ...auth(), tenant_id: 42 }) }),
      422,
    ],
    [
      'missing key',
      () => ({ headers: { origin: ORIGIN }, body: JSON.stringify({ tenant_id: tenant.tenantId }) }),
      422,
    ],
    [
      'key over 200 characters',
      () => ({
        headers: { origin: ORIGIN },
        body: JSON.stringify({ ...auth(), public_key: 'k'.repeat(201) }),
      }),
      422,
    ],
    [
      'tenant id not a UUID',
      () => ({
        headers: { origin: ORIGIN },
        body: JSON.stringify({ ...auth(), tenant_id: 'not-a-uuid' }),
      }),
      403,
    ],
    [
      'text/plain body',
      () => ({
        headers: { origin: ORIGIN, 'content-type': 'text/plain' },
        body: JSON.stringify(auth()),
      }),
      422,
    ],
    [
      'a body over the fast path size',
      () => ({
        headers: { origin: ORIGIN },
        body: JSON.stringify({ ...auth(), pad: 'p'.repeat(5000) }),
      }),
      200,
    ],
  ]
  it.each(cases)('%s: the same answer either way', async (_name, make, status) => {
    const { socket, route } = await both(t, base, make())
    expect(socket.status).toBe(status)
    expect(comparable(socket)).toEqual(comparable(route))
  })

  it('never lets a disallowed origin read the answer', async () => {
    const { socket } = await both(t, base, {
      headers: { origin: 'https://evil.example' },
      body: JSON.stringify(auth()),
    })
    expect(socket.headers['access-control-allow-origin']).toBeUndefined()
    expect(JSON.parse(socket.body)).toEqual({ detail: 'Origin not allowed' })
  })

  it('shares the per-IP limit with the route: the 121st request in a minute is 429', async () => {
    const ip = freshIp()
    const send = () =>
      fetch(base + EMBED_CONFIG_PATH, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-forwarded-for': ip },
        body: JSON.stringify(auth()),
      })
    for (let i = 0; i < 119; i++) expect((await send()).status).toBe(200)
    // The 120th through the route itself: the same bucket.
    const viaRoute = await t.app.inject({
      method: 'POST',
      url: EMBED_CONFIG_PATH,
      headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-forwarded-for': ip },
      payload: JSON.stringify(auth()),
      remoteAddress: '127.0.0.1',
    })
    expect(viaRoute.statusCode).toBe(200)
    expect(viaRoute.headers['x-ratelimit-remaining']).toBe('0')
    const over = await send()
    expect(over.status).toBe(429)
    expect(await over.json()).toEqual({ detail: 'Rate limit exceeded', limit: 120 })
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(over.headers.get('access-control-allow-origin')).toBe(ORIGIN)
  })

  it('sees a changed config and a regenerated key at once', async () => {
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/voice-widget/config',
      headers: { 'x-api-key': tenant.apiKey },
      payload: {
        enabled: true,
        display_title: 'Acme support, renamed',
        launcher_label: 'Chat with us',
        allowed_origins: [ORIGIN],
      },
    })
    expect(put.statusCode).toBe(200)
    const renamed = await both(t, base, {
      headers: { origin: ORIGIN },
      body: JSON.stringify(auth()),
    })
    expect(JSON.parse(renamed.socket.body).display_title).toBe('Acme support, renamed')

    const regen = await t.app.inject({
      method: 'POST',
      url: '/api/v1/voice-widget/config/regenerate-key',
      headers: { 'x-api-key': tenant.apiKey },
    })
    expect(regen.statusCode).toBe(200)
    const old = await both(t, base, { headers: { origin: ORIGIN }, body: JSON.stringify(auth()) })
    expect(old.socket.status).toBe(403)
    expect(comparable(old.socket)).toEqual(comparable(old.route))
    tenant = { ...tenant, publicKey: JSON.parse(regen.body).public_widget_key }
    await both(t, base, { headers: { origin: ORIGIN }, body: JSON.stringify(auth()) })
    const before = t.app.embedConfigFastPath!.answered
    const fresh = await both(t, base, { headers: { origin: ORIGIN }, body: JSON.stringify(auth()) })
    expect(fresh.socket.status).toBe(200)
    expect(t.app.embedConfigFastPath!.answered).toBe(before + 1)
  })

  it('forgets an answer it gave once the origin is no longer allowed, or the widget is off', async () => {
    const body = JSON.stringify(auth())
    // Answered here at least twice: the second time from what it remembered of the first.
    await both(t, base, { headers: { origin: ORIGIN }, body })
    const before = t.app.embedConfigFastPath!.answered
    expect((await both(t, base, { headers: { origin: ORIGIN }, body })).socket.status).toBe(200)
    expect(t.app.embedConfigFastPath!.answered).toBe(before + 1)
    const put = (config: Record<string, unknown>) =>
      t.app.inject({
        method: 'PUT',
        url: '/api/v1/voice-widget/config',
        headers: { 'x-api-key': tenant.apiKey },
        payload: { display_title: 'Acme help', launcher_label: 'Chat with us', ...config },
      })
    expect(
      (await put({ enabled: true, allowed_origins: ['https://elsewhere.example'] })).statusCode,
    ).toBe(200)
    const moved = await both(t, base, { headers: { origin: ORIGIN }, body })
    expect(moved.socket.status).toBe(403)
    expect(comparable(moved.socket)).toEqual(comparable(moved.route))
    expect((await put({ enabled: false, allowed_origins: [ORIGIN] })).statusCode).toBe(200)
    const off = await both(t, base, { headers: { origin: ORIGIN }, body })
    expect(off.socket.status).toBe(403)
    expect(comparable(off.socket)).toEqual(comparable(off.route))
    expect((await put({ enabled: true, allowed_origins: [ORIGIN] })).statusCode).toBe(200)
    expect((await both(t, base, { headers: { origin: ORIGIN }, body })).socket.status).toBe(200)
  })
})

describe('embed config fast path: when it stays out of the way', () => {
  it('is off without the tenant cache and at debug log level', async () => {
    const envs: Record<string, string>[] = [
      { AURION_TENANT_CACHE_TTL_MS: '0' },
      { LOG_LEVEL: 'debug' },
    ]
    for (const env of envs) {
      const t = await buildTestApp({ env })
      try {
        expect(t.app.embedConfigFastPath).toBeNull()
      } finally {
        await t.close()
      }
    }
  })
})

describe('embed config fast path with a networked limiter (it answers with a promise)', () => {
  it('answers through the promise, and leaves a store outage to the route', async () => {
    const memory = createMemoryRateLimiter()
    let storeDown = false
    const t = await buildTestApp({
      deps: {
        limiter: {
          consume: (rule, key) =>
            storeDown ? Promise.reject(rateLimitStoreUnavailable()) : memory.consume(rule, key),
          refund: (rule, key) => memory.refund(rule, key),
          close: () => memory.close(),
        },
      },
    })
    try {
      await t.app.listen({ port: 0, host: '127.0.0.1' })
      const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
      const tenant = await createTestTenant(t.db)
      const body = JSON.stringify({ tenant_id: tenant.tenantId, public_key: tenant.publicKey })
      await both(t, base, { headers: { origin: ORIGIN }, body })
      const before = t.app.embedConfigFastPath!.answered
      const ok = await both(t, base, { headers: { origin: ORIGIN }, body })
      expect(t.app.embedConfigFastPath!.answered).toBe(before + 1)
      expect(ok.socket.status).toBe(200)
      expect(comparable(ok.socket)).toEqual(comparable(ok.route))
      expect(Number(ok.socket.headers['x-ratelimit-remaining'])).toBeLessThan(120)

      storeDown = true
      const down = await both(t, base, { headers: { origin: ORIGIN }, body })
      expect(t.app.embedConfigFastPath!.answered).toBe(before + 1)
      expect(down.socket.status).toBe(503)
      expect(comparable(down.socket)).toEqual(comparable(down.route))
    } finally {
      await t.close()
    }
  })
})
