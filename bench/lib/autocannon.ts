import { createRequire } from 'node:module'

/** One request template; `setupRequest` may rewrite it per request (unique ids). */
export interface LoadRequest {
  method: string
  path?: string
  headers?: Record<string, string>
  body?: string
  setupRequest?: (req: Record<string, unknown>) => Record<string, unknown>
}

/** The part of autocannon's result used here (the package ships no types). */
export interface LoadResult {
  duration: number
  errors: number
  timeouts: number
  non2xx: number
  '2xx': number
  statusCodeStats: Record<string, { count: number }>
  latency: { p50: number; p99: number; average: number; max: number }
}

type Autocannon = (opts: {
  url: string
  connections: number
  duration: number
  requests: LoadRequest[]
}) => Promise<LoadResult>

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon

export interface LoadFigures {
  /** Successful (2xx) requests per second. */
  rps: number
  p50: number
  p99: number
  ok: number
  failed: number
  statuses: Record<string, number>
}

/** Runs autocannon on loopback for `durationSec` with `connections` keep-alive connections. */
export async function load(
  url: string,
  request: LoadRequest,
  opts: { connections?: number; durationSec: number },
): Promise<LoadFigures> {
  const r = await autocannon({
    url,
    connections: opts.connections ?? 10,
    duration: opts.durationSec,
    requests: [request],
  })
  const statuses: Record<string, number> = {}
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statuses[code] = s.count
  return {
    rps: r['2xx'] / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r['2xx'],
    failed: r.non2xx + r.errors + r.timeouts,
    statuses,
  }
}

/** Figures of a target measured in several slices (see {@link compareLoads}). */
export interface SlicedFigures extends LoadFigures {
  slices: number
  /** Server CPU time (user + system) per successful request, in µs, when the target reports it. */
  cpuPerRequest: number | undefined
}

/** A server under load: where to send requests, and (optionally) how much CPU it has used. */
export interface LoadTarget {
  url: string
  request: LoadRequest
  /** CPU time used by the server process so far (µs). */
  cpu?: () => Promise<number>
  /** Page faults the server process has taken so far (see {@link warmUp}). */
  faults?: () => Promise<number>
}

/**
 * A second of load that costs the server fewer page faults than this finds it settled: its heap
 * has stopped growing onto fresh pages.
 */
export const SETTLED_FAULTS_PER_SEC = 200

/**
 * Loads `target` in one-second steps for at least `minSec` and, when `settleSec` is given and
 * the target counts its page faults, until two seconds in a row each cost fewer than
 * {@link SETTLED_FAULTS_PER_SEC} (at most `settleSec`). Returns the seconds spent.
 *
 * Why: a fresh Node process grows its heap for its first seconds under load, and on a virtual
 * machine every fresh page is a fault the hypervisor may have to back (measured: 8,000–15,000
 * faults per 3 s of embed config load, and up to twice the CPU per request while they last;
 * see docs/performance.md). A server lives in the state after that; figures taken during it
 * measured the start, differently in every run.
 */
export async function warmUp(
  target: LoadTarget,
  opts: { minSec: number; settleSec?: number; connections?: number },
): Promise<number> {
  const faults = opts.settleSec === undefined ? undefined : target.faults
  const max = faults === undefined ? opts.minSec : Math.max(opts.minSec, opts.settleSec!)
  let last = await faults?.()
  let sec = 0
  let quiet = 0
  while (sec < max) {
    await load(target.url, target.request, { connections: opts.connections, durationSec: 1 })
    sec++
    if (faults === undefined || last === undefined) continue
    const now = await faults()
    // Two quiet seconds in a row: the growth often starts only in the second second.
    quiet = now - last < SETTLED_FAULTS_PER_SEC ? quiet + 1 : 0
    last = now
    if (sec >= opts.minSec && quiet >= 2) break
  }
  return sec
}

function combine(parts: LoadFigures[], seconds: number, cpuUs: number | undefined): SlicedFigures {
  const statuses: Record<string, number> = {}
  for (const p of parts)
    for (const [k, v] of Object.entries(p.statuses)) statuses[k] = (statuses[k] ?? 0) + v
  const ok = parts.reduce((a, p) => a + p.ok, 0)
  const mean = (f: (p: LoadFigures) => number) => parts.reduce((a, p) => a + f(p), 0) / parts.length
  return {
    rps: ok / seconds,
    p50: mean((p) => p.p50),
    p99: mean((p) => p.p99),
    ok,
    failed: parts.reduce((a, p) => a + p.failed, 0),
    statuses,
    slices: parts.length,
    cpuPerRequest: cpuUs === undefined || ok === 0 ? undefined : cpuUs / ok,
  }
}

/**
 * Loads two targets in alternating slices (A B B A A B …) so that drift in the machine's load
 * hits both alike: throughput over all slices, latency percentiles averaged over slices.
 * Warm the targets first ({@link warmUp}).
 */
export async function compareLoads(
  targets: { a: LoadTarget; b: LoadTarget },
  opts: { rounds: number; sliceSec: number; connections?: number },
): Promise<{ a: SlicedFigures; b: SlicedFigures }> {
  const { a, b } = targets
  const parts: { a: LoadFigures[]; b: LoadFigures[] } = { a: [], b: [] }
  const cpu: { a: number | undefined; b: number | undefined } = {
    a: a.cpu ? 0 : undefined,
    b: b.cpu ? 0 : undefined,
  }
  for (let i = 0; i < opts.rounds; i++) {
    const order: ('a' | 'b')[] = i % 2 === 0 ? ['a', 'b'] : ['b', 'a']
    for (const k of order) {
      const t = targets[k]
      const before = await t.cpu?.()
      parts[k].push(
        await load(t.url, t.request, { connections: opts.connections, durationSec: opts.sliceSec }),
      )
      if (before !== undefined) cpu[k] = (cpu[k] ?? 0) + (await t.cpu!()) - before
    }
  }
  const seconds = opts.rounds * opts.sliceSec
  return { a: combine(parts.a, seconds, cpu.a), b: combine(parts.b, seconds, cpu.b) }
}
