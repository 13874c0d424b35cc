import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { Agent, AgentReply } from './agent/agent.ts'
import {
  type RateLimiter,
  type RateLimitResult,
  type RateLimitRule,
  whenConsumed,
} from './limits/rate-limiter.ts'
import { TallyHistogram } from './tally-histogram.ts'

/**
 * Prometheus metrics of this process, served at `/metrics`. One registry per process: every
 * app built in it (tests build many) adds to the same series, as Prometheus expects.
 */
export const metricsRegistry = new Registry()

/**
 * Requests per method, route and status: the duration histogram's tallies (one per label set,
 * see tally-histogram.ts) count them, and the counter is built from their counts when it is
 * read: prom-client hashes the labels at every `inc`, and this runs for every request.
 */
const httpDuration = new TallyHistogram({
  name: 'aurion_http_request_duration_seconds',
  help: 'Time to answer an HTTP request, by method, route pattern and status code.',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
})
// Registered, and read only through the registry.
new Counter({
  name: 'aurion_http_requests_total',
  help: 'HTTP requests answered, by method, route pattern and status code.',
  labelNames: ['method', 'route', 'status_code'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset()
    for (const s of httpDuration.allSeries()) if (s.count > 0) this.inc(s.labels, s.count)
  },
})
const openSockets = new Gauge({
  name: 'aurion_websocket_connections_open',
  help: 'WebSocket connections currently open on this instance.',
  registers: [metricsRegistry],
})
const socketsTotal = new Counter({
  name: 'aurion_websocket_connections_total',
  help: 'WebSocket connections accepted since start.',
  registers: [metricsRegistry],
})
const agentReply = new Histogram({
  name: 'aurion_agent_reply_duration_seconds',
  help: 'Time from asking the agent to the end of its streamed reply, by agent and outcome.',
  labelNames: ['agent', 'outcome'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
  registers: [metricsRegistry],
})
const agentFirstChunk = new Histogram({
  name: 'aurion_agent_first_chunk_seconds',
  help: 'Time from asking the agent to its first streamed chunk, by agent.',
  labelNames: ['agent'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30],
  registers: [metricsRegistry],
})
const rateLimitRejections = new Counter({
  name: 'aurion_rate_limit_rejections_total',
  help: 'Requests refused by a rate limit (429 or error frame), by bucket.',
  labelNames: ['bucket'] as const,
  registers: [metricsRegistry],
})
const rateLimitStoreErrors = new Counter({
  name: 'aurion_rate_limit_store_errors_total',
  help: 'Requests refused because the rate-limit store was unreachable (503), by bucket.',
  labelNames: ['bucket'] as const,
  registers: [metricsRegistry],
})

const handoffs = new Counter({
  name: 'aurion_handoffs_total',
  help: 'Conversations handed to a person, by reason (visitor_request, unanswered_twice, quick_action, agent_takeover).',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
})
const firstHumanReply = new Histogram({
  name: 'aurion_handoff_first_human_reply_seconds',
  help: "Time from a hand-off to a person's first reply to the visitor, by the person who replied (their email; api_key for an API key).",
  labelNames: ['agent'] as const,
  buckets: [5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400],
  registers: [metricsRegistry],
})
const agentMessages = new Counter({
  name: 'aurion_agent_messages_total',
  help: 'Messages people wrote in conversations, by person (email; api_key) and kind (reply, note).',
  labelNames: ['agent', 'kind'] as const,
  registers: [metricsRegistry],
})

/** One hand-off to a person. */
export function recordHandoffMetric(reason: string): void {
  handoffs.inc({ reason })
}

/** A person's message; `firstReplySeconds` when it was the first reply after a hand-off. */
export function recordAgentMessageMetric(
  agent: string,
  kind: 'reply' | 'note',
  firstReplySeconds?: number,
): void {
  agentMessages.inc({ agent, kind })
  if (firstReplySeconds !== undefined) firstHumanReply.observe({ agent }, firstReplySeconds)
}

let defaultsStarted = false
/** Process metrics (CPU, memory, event loop lag, GC); started once, on the first app. */
export function startDefaultMetrics(): void {
  if (defaultsStarted) return
  defaultsStarted = true
  collectDefaultMetrics({ register: metricsRegistry })
}

/** Records one answered request; `route` is the route pattern (bounded), never the raw URL. */
export function observeHttpRequest(
  method: string,
  route: string,
  statusCode: number,
  seconds: number,
): void {
  const key = `${method} ${statusCode} ${route}`
  const series =
    httpDuration.seriesAt(key) ??
    httpDuration.series(key, { method, route, status_code: String(statusCode) })
  series.observe(seconds)
}

export function socketOpened(): void {
  openSockets.inc()
  socketsTotal.inc()
}

export function socketClosed(): void {
  openSockets.dec()
}

/** One agent reply: total time and outcome (`ok`, `error`, or `aborted` by the reader). */
export function recordAgentLatency(
  agent: string,
  seconds: number,
  outcome: 'ok' | 'error' | 'aborted',
): void {
  agentReply.observe({ agent, outcome }, seconds)
}

export function recordAgentFirstChunk(agent: string, seconds: number): void {
  agentFirstChunk.observe({ agent }, seconds)
}

export function rateLimitRejected(bucket: string): void {
  rateLimitRejections.inc({ bucket })
}

// Made once (see whenConsumed): the rule comes as the argument.
const countRejection = (r: RateLimitResult, rule: RateLimitRule) => {
  if (!r.allowed) rateLimitRejected(rule.bucket)
  return r
}
const countStoreError = (err: unknown, rule: RateLimitRule): never => {
  rateLimitStoreErrors.inc({ bucket: rule.bucket })
  throw err
}

/** Counts rejections and store failures of any limiter; behaviour is unchanged. */
export function instrumentLimiter(limiter: RateLimiter): RateLimiter {
  return {
    consume(rule, key) {
      return whenConsumed(limiter.consume(rule, key), countRejection, countStoreError, rule)
    },
    refund: (rule, key) => limiter.refund(rule, key),
    ...(limiter.ping ? { ping: () => limiter.ping!() } : {}),
    close: () => limiter.close(),
  }
}

/** Times every reply of any agent (first chunk and whole stream); behaviour is unchanged. */
export function instrumentAgent(agent: Agent): Agent {
  return {
    get kind() {
      return agent.kind
    },
    check: () => agent.check(),
    reply(request): AgentReply {
      const started = performance.now()
      const elapsed = () => (performance.now() - started) / 1000
      const inner = agent.reply(request)
      return {
        sources: inner.sources,
        ...(inner.followUps ? { followUps: inner.followUps } : {}),
        async *[Symbol.asyncIterator]() {
          let outcome: 'ok' | 'error' | 'aborted' = 'aborted'
          let first = true
          try {
            for await (const chunk of inner) {
              if (first) {
                first = false
                recordAgentFirstChunk(agent.kind, elapsed())
              }
              yield chunk
            }
            outcome = 'ok'
          } catch (err) {
            outcome = 'error'
            throw err
          } finally {
            recordAgentLatency(agent.kind, elapsed(), outcome)
          }
        },
      }
    },
  }
}
