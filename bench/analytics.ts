/**
 * Analytics over a generated million messages (issue 21, issue 23 item 4): the overview and the
 * unanswered list through a running server (`aurion serve`, HTTP with an API key), median of
 * several runs, beside a plain `select count(*) from messages` on the same store in the same
 * run. SQLite, and PostgreSQL when it runs here.
 *
 *   npm run bench -- --only=analytics                            a million messages
 *   npm run bench -- --only=analytics --analytics-messages=100000 (or AURION_BENCH_ANALYTICS_MESSAGES)
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServerProcess } from '@aurion/server/test-support'
import { aurionEnv } from './http.ts'
import { loadMessages, timeCount } from './lib/analytics-data.ts'
import { type BenchRow, row } from './lib/report.ts'
import { type BenchStore, dropStore, seedStore, storeDatabaseUrl } from './lib/seed.ts'
import { median } from './lib/stats.ts'

export interface AnalyticsBenchOptions {
  /** Messages generated per store (default a million). */
  messages?: number
  /** Timed requests per query (after one warm-up). */
  runs?: number
  /** PostgreSQL to measure as well. */
  pgUrl?: string | undefined
}

export interface AnalyticsFigures {
  dialect: string
  messages: number
  conversations: number
  loadMs: number
  countMs: number
  overviewMs: number
  unansweredMs: number
  overview: unknown
  unansweredGroups: number
}

/** One store: generated, then measured through a server process. */
async function measure(
  store: BenchStore,
  dir: string,
  messages: number,
  runs: number,
): Promise<AnalyticsFigures> {
  const tenant = await seedStore(store)
  const loaded = await loadMessages(store, tenant.tenantId, messages)
  const server = await startServerProcess(
    aurionEnv(dir, { DATABASE_URL: storeDatabaseUrl(store), LOG_LEVEL: 'info' }),
  )
  try {
    const get = async (path: string) => {
      const t0 = performance.now()
      const res = await fetch(`${server.url}${path}`, { headers: { 'x-api-key': tenant.apiKey } })
      const body = await res.json()
      const ms = performance.now() - t0
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(body)}`)
      return { ms, body: body as Record<string, unknown> }
    }
    const timed = async (path: string) => {
      const first = await get(path)
      const times: number[] = []
      for (let i = 0; i < runs; i++) times.push((await get(path)).ms)
      return { ms: median(times), body: first.body }
    }
    const overview = await timed('/api/v1/analytics/overview')
    const unanswered = await timed('/api/v1/analytics/unanswered')
    const count = await timeCount(store, runs)
    if (count.rows < loaded.messages)
      throw new Error(`count(*) saw ${count.rows} messages, ${loaded.messages} generated`)
    const visitorMessages = Number(overview.body.visitor_messages)
    if (visitorMessages !== loaded.messages / 2)
      throw new Error(`overview counted ${visitorMessages} visitor messages of ${loaded.messages}`)
    return {
      dialect: store.dialect,
      messages: loaded.messages,
      conversations: loaded.conversations,
      loadMs: loaded.ms,
      countMs: median(count.times),
      overviewMs: overview.ms,
      unansweredMs: unanswered.ms,
      overview: overview.body,
      unansweredGroups: (unanswered.body.groups as unknown[]).length,
    }
  } finally {
    await server.stop()
  }
}

export function analyticsRows(f: AnalyticsFigures): BenchRow[] {
  const section = `analytics ${f.dialect}`
  const n = f.messages.toLocaleString('en-US')
  const base = { baseline: f.countMs, baselineLabel: 'count(*) over messages' }
  return [
    row({
      section,
      name: `GET /analytics/overview, ${n} messages in the period, median`,
      value: f.overviewMs,
      unit: 'ms',
      ...base,
      goal: '≤ 200 ms',
      pass: f.overviewMs <= 200,
    }),
    row({
      section,
      name: `GET /analytics/unanswered, ${n} messages (${f.unansweredGroups} groups), median`,
      value: f.unansweredMs,
      unit: 'ms',
      ...base,
      goal: '≤ 200 ms',
      pass: f.unansweredMs <= 200,
    }),
    row({
      section,
      name: `bulk load of ${n} messages (${f.conversations.toLocaleString('en-US')} conversations)`,
      value: f.loadMs / 1000,
      unit: 's',
    }),
  ]
}

export async function run(
  opts: AnalyticsBenchOptions = {},
): Promise<{ rows: BenchRow[]; figures: AnalyticsFigures[] }> {
  const messages = opts.messages ?? 1_000_000
  const runs = opts.runs ?? 5
  const figures: AnalyticsFigures[] = []
  const dir = mkdtempSync(join(tmpdir(), 'aurion-bench-analytics-'))
  try {
    figures.push(
      await measure({ dialect: 'sqlite', file: join(dir, 'aurion.db') }, dir, messages, runs),
    )
    if (opts.pgUrl) {
      const store: BenchStore = {
        dialect: 'postgres',
        url: opts.pgUrl,
        schema: `bench_analytics_${randomBytes(4).toString('hex')}`,
      }
      try {
        figures.push(await measure(store, dir, messages, runs))
      } finally {
        await dropStore(store)
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return { rows: figures.flatMap(analyticsRows), figures }
}
