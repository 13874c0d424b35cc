import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { RouteContext } from '../../app-deps.ts'
import { invalidMetricsToken } from '../../errors.ts'
import { getVoiceAgentStatus } from '../../internal/voice-agent-status.ts'
import {
  metricsRegistry,
  observeHttpRequest,
  socketClosed,
  socketOpened,
  startDefaultMetrics,
} from '../../metrics.ts'
import { setBackendLogger } from '../../redis-client.ts'
import { metricsTokenMatches } from './metrics-listener.ts'

/** A readiness check gives up after this long: a hung dependency counts as down. */
export const READY_CHECK_TIMEOUT_MS = 2000
/** The agent is asked at most this often: readiness probes must not load an LLM provider. */
const AGENT_CHECK_TTL_MS = 15_000

interface CheckResult {
  ok: boolean
  latency_ms: number
  reason: string | null
}

/**
 * Operations endpoints and request metrics:
 * - `GET /healthz` liveness: the process answers (no dependency is checked);
 * - `GET /readyz` readiness: database and (when configured) Redis answer → 200, else 503 with
 *   `{"detail": …}`; the agent is reported too but only degrades (every instance shares the
 *   same provider, so failing readiness on it would take the whole fleet out of rotation);
 * - `GET /metrics` Prometheus text format: only with `Authorization: Bearer <AURION_METRICS_TOKEN>`
 *   when that is set; not here at all with `AURION_METRICS_PORT` (served on that port instead).
 * Registered without encapsulation so its hooks time every route of the app.
 */
export const opsRoutes = fp(
  async function opsRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
    startDefaultMetrics()
    setBackendLogger(app.log)

    // Callback style: an async hook costs a promise and a microtask turn on every request.
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched'
      observeHttpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000)
      done()
    })

    // Every socket any WebSocket route accepts passes through this server.
    app.websocketServer?.on('connection', (socket) => {
      socketOpened()
      socket.once('close', socketClosed)
    })

    const hidden = { schema: { hide: true } }

    app.get('/healthz', hidden, async (_request, reply) => {
      reply.header('Cache-Control', 'no-store')
      return { status: 'ok' }
    })

    let agentCache: { at: number; result: CheckResult } | undefined
    const agentCheck = async (): Promise<CheckResult> => {
      if (agentCache && Date.now() - agentCache.at < AGENT_CHECK_TTL_MS) return agentCache.result
      const result = await timed(async () => {
        const r = await ctx.agent.check()
        if (!r.ok) throw new Error(r.reason ?? 'agent not ready')
      })
      agentCache = { at: Date.now(), result }
      return result
    }

    const voiceAgentCheck = async (): Promise<CheckResult & { workers?: number }> => {
      let workers = 0
      const result = await timed(async () => {
        const status = await getVoiceAgentStatus(ctx.db, ctx.config.livekit.agentName)
        workers = status.workers
        if (!status.registered) {
          throw new Error(
            `no voice agent worker named "${status.agentName}" has reported in (start it with npm run voice-agent)`,
          )
        }
      })
      return { ...result, workers }
    }

    app.get('/readyz', hidden, async (_request, reply) => {
      reply.header('Cache-Control', 'no-store')
      const redisPings = [ctx.limiter.ping?.bind(ctx.limiter), ctx.bus.ping?.bind(ctx.bus)].filter(
        (p): p is () => Promise<void> => p !== undefined,
      )
      const [database, redis, agent] = await Promise.all([
        timed(() => ctx.database.ping(), 'database unreachable'),
        redisPings.length > 0
          ? timed(() => Promise.all(redisPings.map((p) => p())), 'redis unreachable')
          : undefined,
        agentCheck(),
      ])
      // The voice worker is reported (degrading) only where voice can run at all.
      const voiceAgent =
        ctx.config.livekit.url !== undefined && database.ok ? await voiceAgentCheck() : undefined
      const checks = {
        database,
        ...(redis ? { redis } : {}),
        agent,
        ...(voiceAgent ? { voice_agent: voiceAgent } : {}),
      }
      const failing = [
        database.ok ? undefined : 'database',
        redis?.ok === false ? 'redis' : undefined,
      ].filter((n) => n !== undefined)
      if (failing.length > 0) {
        reply.status(503).header('Retry-After', 5)
        return {
          detail: `Not ready: ${failing.join(', ')} unavailable`,
          status: 'not_ready',
          checks,
        }
      }
      return { status: agent.ok && voiceAgent?.ok !== false ? 'ready' : 'degraded', checks }
    })

    // With AURION_METRICS_PORT the metrics live on that port only (metrics-listener.ts). Whatever
    // path variant the router sends here (`/metrics/`, `/metrics?x`) meets the same token check.
    if (ctx.config.metricsPort === undefined) {
      const token = ctx.config.metricsToken
      app.get(
        '/metrics',
        {
          ...hidden,
          onRequest: async (request) => {
            if (token !== undefined && !metricsTokenMatches(request.headers.authorization, token))
              throw invalidMetricsToken()
          },
        },
        async (_request, reply) => {
          reply.header('Cache-Control', 'no-store').type(metricsRegistry.contentType)
          return metricsRegistry.metrics()
        },
      )
    }
  },
  { name: 'aurion-ops', fastify: '5.x' },
)

/**
 * Runs a check with a deadline. `reason` on failure: the given fixed text, so internal addresses
 * in driver errors never reach a probe that may be public; or the agent's own reason.
 */
async function timed(fn: () => Promise<unknown>, failure?: string): Promise<CheckResult> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), READY_CHECK_TIMEOUT_MS)
  })
  try {
    await Promise.race([fn(), deadline])
    return { ok: true, latency_ms: ms(started), reason: null }
  } catch (err) {
    const timedOut = err instanceof Error && err.message === 'timeout'
    const reason = timedOut
      ? `${failure ?? 'agent check'} (timed out)`
      : (failure ?? (err instanceof Error ? err.message : 'agent not ready'))
    return { ok: false, latency_ms: ms(started), reason }
  } finally {
    clearTimeout(timer)
  }
}

const ms = (started: number) => Math.round((performance.now() - started) * 10) / 10
