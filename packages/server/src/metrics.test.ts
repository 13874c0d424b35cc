import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Agent, AgentReply } from './agent/agent.ts'
import { rateLimitStoreUnavailable } from './errors.ts'
import { createMemoryRateLimiter } from './limits/memory-rate-limiter.ts'
import type { RateLimiter, RateLimitResult } from './limits/rate-limiter.ts'
import {
  instrumentAgent,
  instrumentLimiter,
  metricsRegistry,
  observeHttpRequest,
} from './metrics.ts'

/** Sum of the values of a metric's series matching `labels` (histograms: the `_count` series). */
async function value(name: string, labels: Record<string, string>, suffix = ''): Promise<number> {
  const metric = metricsRegistry.getSingleMetric(name)
  if (!metric) return 0
  const { values } = await metric.get()
  return values
    .filter((v) =>
      suffix === '' ? true : (v as { metricName?: string }).metricName === `${name}${suffix}`,
    )
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0)
}

/** A real streamed reply: yields chunks on later ticks, optionally failing midway. */
function streamingAgent(kind: string, chunks: string[], failAfter?: number): Agent {
  return {
    kind,
    reply(): AgentReply {
      return {
        sources: Promise.resolve([]),
        async *[Symbol.asyncIterator]() {
          for (const [i, c] of chunks.entries()) {
            await new Promise((r) => setImmediate(r))
            if (failAfter !== undefined && i === failAfter) throw new Error('upstream failed')
            yield c
          }
        },
      }
    },
    async check() {
      return { ok: true, reason: null }
    },
  }
}

const req = { tenantId: 't', conversationId: 'c', history: [] }

describe('instrumentLimiter', () => {
  it('counts rejections per bucket and passes results through unchanged', async () => {
    const bucket = `b-${randomBytes(4).toString('hex')}`
    const limiter = instrumentLimiter(createMemoryRateLimiter())
    const rule = { bucket, limit: 2, windowSec: 60 }
    const results = [
      await limiter.consume(rule, 'ip'),
      await limiter.consume(rule, 'ip'),
      await limiter.consume(rule, 'ip'),
      await limiter.consume(rule, 'ip'),
    ]
    expect(results.map((r) => r.allowed)).toEqual([true, true, false, false])
    expect(results.map((r) => r.remaining)).toEqual([1, 0, 0, 0])
    expect(await value('aurion_rate_limit_rejections_total', { bucket })).toBe(2)
  })

  it('counts the rejections of synchronous consumes too', async () => {
    const bucket = `b-${randomBytes(4).toString('hex')}`
    const limiter = instrumentLimiter(createMemoryRateLimiter())
    const rule = { bucket, limit: 1, windowSec: 60 }
    // Still answered at once through the instrumentation: no promise.
    const first = limiter.consume(rule, 'ip')
    const second = limiter.consume(rule, 'ip')
    expect(first).not.toBeInstanceOf(Promise)
    expect(second).not.toBeInstanceOf(Promise)
    expect([(first as RateLimitResult).allowed, (second as RateLimitResult).allowed]).toEqual([
      true,
      false,
    ])
    expect((await limiter.consume(rule, 'ip')).allowed).toBe(false)
    expect(await value('aurion_rate_limit_rejections_total', { bucket })).toBe(2)
  })

  it('counts store failures and rethrows them', async () => {
    const bucket = `b-${randomBytes(4).toString('hex')}`
    const broken: RateLimiter = {
      async consume() {
        throw rateLimitStoreUnavailable()
      },
      async refund() {
        throw rateLimitStoreUnavailable()
      },
      async ping() {
        throw new Error('down')
      },
      async close() {},
    }
    const limiter = instrumentLimiter(broken)
    await expect(limiter.consume({ bucket, limit: 1, windowSec: 1 }, 'k')).rejects.toMatchObject({
      status: 503,
    })
    expect(await value('aurion_rate_limit_store_errors_total', { bucket })).toBe(1)
    expect(await value('aurion_rate_limit_rejections_total', { bucket })).toBe(0)
    await expect(limiter.ping!()).rejects.toThrow('down')
  })

  it('has no ping when the wrapped limiter has none', () => {
    expect(instrumentLimiter(createMemoryRateLimiter()).ping).toBeUndefined()
  })
})

describe('instrumentAgent', () => {
  it('times a complete reply and its first chunk, keeping the text intact', async () => {
    const kind = `ok-${randomBytes(4).toString('hex')}`
    const agent = instrumentAgent(streamingAgent(kind, ['Hel', 'lo', '!']))
    expect(agent.kind).toBe(kind)
    let text = ''
    for await (const c of agent.reply(req)) text += c
    expect(text).toBe('Hello!')
    expect(
      await value('aurion_agent_reply_duration_seconds', { agent: kind, outcome: 'ok' }, '_count'),
    ).toBe(1)
    expect(await value('aurion_agent_first_chunk_seconds', { agent: kind }, '_count')).toBe(1)
    expect(await agent.check()).toEqual({ ok: true, reason: null })
  })

  it('records failures as error and early stops as aborted', async () => {
    const kind = `bad-${randomBytes(4).toString('hex')}`
    const failing = instrumentAgent(streamingAgent(kind, ['a', 'b', 'c'], 1))
    const got: string[] = []
    await expect(
      (async () => {
        for await (const c of failing.reply(req)) got.push(c)
      })(),
    ).rejects.toThrow('upstream failed')
    expect(got).toEqual(['a'])
    const stopped = instrumentAgent(streamingAgent(kind, ['a', 'b', 'c']))
    for await (const _c of stopped.reply(req)) break
    expect(
      await value(
        'aurion_agent_reply_duration_seconds',
        { agent: kind, outcome: 'error' },
        '_count',
      ),
    ).toBe(1)
    expect(
      await value(
        'aurion_agent_reply_duration_seconds',
        { agent: kind, outcome: 'aborted' },
        '_count',
      ),
    ).toBe(1)
  })
})

describe('observeHttpRequest', () => {
  it('counts a request once in the counter and once in the duration histogram', async () => {
    const route = `/test-${randomBytes(4).toString('hex')}`
    const labels = { method: 'POST', route, status_code: '201' }
    expect(await value('aurion_http_requests_total', labels)).toBe(0)
    for (const seconds of [0.001, 0.2, 3]) observeHttpRequest('POST', route, 201, seconds)
    observeHttpRequest('POST', route, 500, 0.01)
    expect(await value('aurion_http_requests_total', labels)).toBe(3)
    expect(await value('aurion_http_request_duration_seconds', labels, '_count')).toBe(3)
    expect(await value('aurion_http_request_duration_seconds', labels, '_sum')).toBeCloseTo(3.201)
    const failed = { ...labels, status_code: '500' }
    expect(await value('aurion_http_requests_total', failed)).toBe(1)
  })
})
