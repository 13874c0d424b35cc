/**
 * The chat hot path end to end on a real listening server: `POST /api/v1/widget/messages` under
 * concurrent load (autocannon) and one WebSocket's time to `ack` (stored) and to `done` (reply
 * stored), on a SQLite file (WAL, synchronous=FULL: every ack is on disk) with the built-in
 * knowledge agent over the demo articles. Rate limits are lifted for the run; everything else
 * (guard, origin check, CORS, validation, exactly-once, two transactions per message) is real.
 * Goals: POST /messages p99 ≤ 50 ms at 10 connections; WS ack p99 ≤ 20 ms.
 *
 *   npx tsx bench/widget-messages.ts   (DURATION=seconds, WS_MESSAGES=n, BENCH_MEMORY=1: in-memory SQLite)
 *
 * The server runs in a child process, so the load generator does not share its event loop.
 */
import { fork } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { provisionTenant, type RateLimiter, startTestServer } from '@aurion/server/test-support'
import WebSocket from 'ws'

export interface BenchResult {
  name: string
  value: number
  unit: string
  goal?: string
}

/** The part of autocannon's API used here (the package ships no types). */
type Autocannon = (opts: {
  url: string
  connections: number
  duration: number
  requests: {
    method: string
    headers: Record<string, string>
    setupRequest: (req: Record<string, unknown>) => Record<string, unknown>
  }[]
}) => Promise<{
  non2xx: number
  errors: number
  requests: { average: number }
  latency: { p50: number; p99: number }
}>
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon

const ORIGIN = 'https://bench.example'
const QUESTIONS = [
  'I forgot my password',
  'How do I connect to the VPN from home?',
  'My printer is offline',
  'How do I set up the authenticator app?',
]

const unlimited: RateLimiter = {
  async consume() {
    return { allowed: true, limit: 1e9, remaining: 1e9, retryAfterSec: 1 }
  },
  async refund() {},
  async close() {},
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
const round = (n: number) => Math.round(n * 100) / 100

interface ServerInfo {
  port: number
  tenantId: string
  publicKey: string
}

/** The server under test, in its own process so the load generator does not share its CPU. */
async function serve(): Promise<void> {
  const server = await startTestServer({
    storage: process.env.BENCH_MEMORY ? 'memory' : 'file',
    env: { AURION_SECRET: 'bench-secret-0123456789abcdef0123456789' },
    deps: { limiter: unlimited },
  })
  const tenant = await provisionTenant(server.db, {
    name: 'Bench',
    config: { enabled: true, allowed_origins: [ORIGIN] },
    articles: true,
  })
  const info: ServerInfo = {
    port: server.port,
    tenantId: tenant.tenantId,
    publicKey: tenant.publicKey,
  }
  process.send?.(info)
  process.on('disconnect', async () => {
    await server.close()
    process.exit(0)
  })
}

export async function run(
  opts: { durationSec?: number; wsMessages?: number } = {},
): Promise<BenchResult[]> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, BENCH_ROLE: 'server' },
    execArgv: ['--import', 'tsx'],
  })
  try {
    const { port, tenantId, publicKey } = await new Promise<ServerInfo>((resolve, reject) => {
      child.once('message', (m) => resolve(m as ServerInfo))
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)))
    })

    let n = 0
    const rest = await autocannon({
      url: `http://127.0.0.1:${port}/api/v1/widget/messages`,
      connections: 10,
      duration: opts.durationSec ?? 10,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: ORIGIN },
          setupRequest: (req) => {
            n++
            return {
              ...req,
              body: JSON.stringify({
                tenant_id: tenantId,
                public_key: publicKey,
                body: QUESTIONS[n % QUESTIONS.length],
                source_thread_id: `bench-thread-${n % 50}`,
                source_message_id: `bench-${n}`,
              }),
            }
          },
        },
      ],
    })
    if (rest.non2xx > 0 || rest.errors > 0) {
      throw new Error(`${rest.non2xx} non-2xx answers, ${rest.errors} errors`)
    }

    const ws = new WebSocket(
      `ws://127.0.0.1:${port}/api/v1/widget/ws?tenant_id=${tenantId}&public_key=${publicKey}`,
      { headers: { origin: ORIGIN } },
    )
    await new Promise((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })
    const acks: number[] = []
    const dones: number[] = []
    for (let i = 0; i < (opts.wsMessages ?? 300); i++) {
      const start = performance.now()
      await new Promise<void>((resolve, reject) => {
        const onMessage = (data: WebSocket.RawData) => {
          const f = JSON.parse(data.toString()) as { type: string }
          if (f.type === 'ack') acks.push(performance.now() - start)
          if (f.type === 'error') reject(new Error(JSON.stringify(f)))
          if (f.type === 'done') {
            dones.push(performance.now() - start)
            ws.off('message', onMessage)
            resolve()
          }
        }
        ws.on('message', onMessage)
        ws.send(JSON.stringify({ body: QUESTIONS[i % QUESTIONS.length] }))
      })
    }
    ws.close()
    acks.sort((x, y) => x - y)
    dones.sort((x, y) => x - y)
    return [
      {
        name: 'POST /widget/messages throughput',
        value: round(rest.requests.average),
        unit: 'req/s',
      },
      { name: 'POST /widget/messages latency (p50)', value: rest.latency.p50, unit: 'ms' },
      {
        name: 'POST /widget/messages latency (p99)',
        value: rest.latency.p99,
        unit: 'ms',
        goal: '<= 50 ms',
      },
      { name: 'WS time to ack (p50)', value: round(percentile(acks, 50)), unit: 'ms' },
      {
        name: 'WS time to ack (p99)',
        value: round(percentile(acks, 99)),
        unit: 'ms',
        goal: '<= 20 ms',
      },
      { name: 'WS time to done (p50)', value: round(percentile(dones, 50)), unit: 'ms' },
      { name: 'WS time to done (p99)', value: round(percentile(dones, 99)), unit: 'ms' },
    ]
  } finally {
    child.disconnect()
  }
}

if (process.env.BENCH_ROLE === 'server') {
  await serve()
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await run({
    durationSec: Number(process.env.DURATION ?? 10),
    wsMessages: Number(process.env.WS_MESSAGES ?? 300),
  })
  console.log('Widget chat hot path (SQLite file, built-in agent, 10 connections)')
  console.table(
    results.map((r) => ({ metric: r.name, value: `${r.value} ${r.unit}`, goal: r.goal ?? '' })),
  )
}
