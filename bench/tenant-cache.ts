/**
 * What the tenant cache buys on the scale-out setup: one `aurion serve` process on PostgreSQL and
 * Redis (the e2e cluster harness), `POST /api/v1/voice-widget/embed/config` under load (guard:
 * Redis rate limit, CORS origin lookup, tenant + key + origin check, config), with the cache off
 * (`AURION_TENANT_CACHE_TTL_MS=0`: two PostgreSQL queries per request) and on (default). Rounds
 * alternate so machine noise hits both alike; each request comes from its own client address
 * (trusted X-Forwarded-For) so the per-IP limit stays out of the way.
 *
 *   npx tsx bench/tenant-cache.ts   (DURATION=seconds per round, ROUNDS=n; needs TEST_DATABASE_URL
 *                                    or PostgreSQL on 127.0.0.1:5432, and redis-server)
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { provisionTenant } from '@aurion/server/test-support'
import { type Cluster, startCluster } from '../e2e/scale/cluster.ts'

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
    body: string
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
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function instance(pgUrl: string, cacheTtlMs: string) {
  const cluster: Cluster = await startCluster(pgUrl, {
    count: 1,
    env: { AURION_TRUST_PROXY: 'true', AURION_TENANT_CACHE_TTL_MS: cacheTtlMs },
  })
  const tenant = await provisionTenant(cluster.database.db, {
    name: 'Bench',
    config: { enabled: true, allowed_origins: [ORIGIN] },
  })
  const body = JSON.stringify({ tenant_id: tenant.tenantId, public_key: tenant.publicKey })
  let n = 0
  const load = (durationSec: number) =>
    autocannon({
      url: `${cluster.servers[0]!.url}/api/v1/voice-widget/embed/config`,
      connections: 10,
      duration: durationSec,
      requests: [
        {
          method: 'POST',
          body,
          setupRequest: (req) => {
            n++
            return {
              ...req,
              headers: {
                'content-type': 'application/json',
                origin: ORIGIN,
                'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
              },
            }
          },
        },
      ],
    })
  return { cluster, load }
}

export async function run(
  opts: { durationSec?: number; rounds?: number } = {},
): Promise<BenchResult[]> {
  const pgUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const durationSec = opts.durationSec ?? 5
  const rounds = opts.rounds ?? 3
  const off = await instance(pgUrl, '0')
  const on = await instance(pgUrl, '10000')
  try {
    await off.load(2)
    await on.load(2)
    const rps = { off: [] as number[], on: [] as number[] }
    const p99 = { off: [] as number[], on: [] as number[] }
    for (let i = 0; i < rounds; i++) {
      for (const [name, inst] of [
        ['off', off],
        ['on', on],
      ] as const) {
        const r = await inst.load(durationSec)
        if (r.non2xx > 0 || r.errors > 0)
          throw new Error(`cache ${name}: ${r.non2xx} non-2xx, ${r.errors} errors`)
        rps[name].push(r.requests.average)
        p99[name].push(r.latency.p99)
      }
    }
    return [
      {
        name: 'embed/config on PostgreSQL+Redis, tenant cache off',
        value: median(rps.off),
        unit: 'req/s',
      },
      {
        name: 'embed/config on PostgreSQL+Redis, tenant cache on',
        value: median(rps.on),
        unit: 'req/s',
      },
      { name: 'embed/config p99, tenant cache off', value: median(p99.off), unit: 'ms' },
      { name: 'embed/config p99, tenant cache on', value: median(p99.on), unit: 'ms' },
      {
        name: 'tenant cache throughput gain',
        value: Math.round((median(rps.on) / median(rps.off)) * 100) / 100,
        unit: '×',
        goal: '> 1',
      },
    ]
  } finally {
    await off.cluster.close()
    await on.cluster.close()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await run({
    durationSec: Number(process.env.DURATION ?? 5),
    rounds: Number(process.env.ROUNDS ?? 3),
  })
  for (const r of results) console.log(`${r.name}: ${r.value} ${r.unit}`)
}
