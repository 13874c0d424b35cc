import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RawAnswer, rawRequest } from '../../../test/forwarding-proxy.ts'
import { TEST_SECRET } from '../../../test/helpers.ts'
import { loadConfig } from '../../config.ts'
import { type RunningServer, startServer } from '../../main.ts'

const TOKEN = 'metrics-token-0123456789abcdef0123456789'

/**
 * Ways to spell `/metrics` that a reverse proxy's exact-match rule (`location = /metrics`) lets
 * through, sent byte for byte (no client-side normalization).
 */
const VARIANTS = [
  '/metrics',
  '/metrics/',
  '/metrics?x',
  '/metrics/?x=1',
  '//metrics',
  '/METRICS',
  '/Metrics',
  '/metrics%2F',
  '/metrics%2f',
  '/%6detrics',
  '/metrics;x',
  '/./metrics',
  '/metrics/.',
  '/x/../metrics',
  '/metrics#frag',
  '/metrics%00',
  '/metrics%20',
  '/metrics.',
]

/** One raw request: the path goes on the wire exactly as given. */
function get(port: number, path: string, headers: Record<string, string> = {}) {
  return rawRequest(undefined, {
    host: '127.0.0.1',
    port,
    path,
    method: 'GET',
    headers,
    agent: false,
  })
}

const isMetrics = (a: RawAnswer) => a.body.includes('# HELP') || a.body.includes('# TYPE')

async function start(env: Record<string, string>): Promise<{ s: RunningServer; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'aurion-metrics-'))
  const config = loadConfig({
    AURION_DATA_DIR: dir,
    AURION_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    ...env,
  })
  return { s: await startServer(config), dir }
}

describe('/metrics with AURION_METRICS_TOKEN', () => {
  let s: RunningServer
  let dir: string
  beforeAll(async () => {
    ;({ s, dir } = await start({ AURION_METRICS_TOKEN: TOKEN }))
  })
  afterAll(async () => {
    await s.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it.each(VARIANTS)('%s without the token: no metrics', async (path) => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-0123456789abcdef0123456789' },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
      { authorization: TOKEN },
      { 'x-api-key': TOKEN },
    ]
    for (const headers of attempts) {
      const res = await get(s.port, path, headers)
      expect(isMetrics(res), `${path} ${JSON.stringify(headers)} → ${res.status}`).toBe(false)
      expect([401, 404]).toContain(res.status)
      if (res.status === 401) {
        expect(JSON.parse(res.body)).toEqual({ detail: 'Invalid or missing metrics token' })
        expect(res.headers['www-authenticate']).toBe('Bearer')
      }
    }
  })

  it('serves Prometheus text to the token', async () => {
    const res = await get(s.port, '/metrics', { authorization: `Bearer ${TOKEN}` })
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain/)
    expect(res.body).toContain('aurion_http_requests_total')
    // The variants the router sends to the same route answer the token alike.
    const slash = await get(s.port, '/metrics/', { authorization: `bearer ${TOKEN}` })
    expect(slash.status).toBe(200)
  })
})

describe('/metrics with AURION_METRICS_PORT', () => {
  let s: RunningServer
  let dir: string
  beforeAll(async () => {
    ;({ s, dir } = await start({ AURION_METRICS_PORT: '0' }))
  })
  afterAll(async () => {
    await s.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it.each(VARIANTS)('%s on the main port: 404', async (path) => {
    const res = await get(s.port, path)
    expect(isMetrics(res)).toBe(false)
    expect(res.status).toBe(404)
  })

  it('serves /metrics on its own port, and nothing else there', async () => {
    expect(s.metricsPort).toBeGreaterThan(0)
    expect(s.metricsPort).not.toBe(s.port)
    const res = await get(s.metricsPort!, '/metrics')
    expect(res.status).toBe(200)
    expect(res.body).toContain('aurion_http_requests_total')
    for (const path of [
      '/',
      '/healthz',
      '/metrics/x',
      '/api/v1/voice-widget/config',
      '//metrics',
    ]) {
      const other = await get(s.metricsPort!, path)
      expect(other.status).toBe(404)
      expect(JSON.parse(other.body)).toEqual({ detail: 'Not Found' })
    }
  })

  it('is closed by stop()', async () => {
    const extra = await start({ AURION_METRICS_PORT: '0', AURION_METRICS_TOKEN: TOKEN })
    const port = extra.s.metricsPort!
    expect((await get(port, '/metrics')).status).toBe(401)
    expect((await get(port, '/metrics', { authorization: `Bearer ${TOKEN}` })).status).toBe(200)
    await extra.s.stop()
    rmSync(extra.dir, { recursive: true, force: true })
    await expect(get(port, '/metrics')).rejects.toThrow(/ECONNREFUSED/)
  })
})
