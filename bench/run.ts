/**
 * `npm run bench`: every performance and reliability figure of the product, each beside a
 * baseline measured in the same run (absolute numbers drift on shared machines; ratios much
 * less). Prints a table and writes bench/results/latest.json.
 *
 *   npm run bench                       everything (about an hour on 2 cores: most of it the crash
 *                                       runs, 100 SIGKILLs per database, and the analytics bulk load)
 *   npm run bench -- --only=http,ws     some sections: http, ws, handoff, widget, llm, crash, bad-input,
 *                                       webhooks, crawl, analytics, lighthouse
 *   npm run bench -- --quick            smaller loads, for a first look (about 3 minutes)
 *   npm run bench -- --only=http --repeat=5
 *                                       the same run five times, each in a fresh process, then
 *                                       every figure's min / median / max and in how many runs
 *                                       its goal held (bench/repeat.ts)
 *   npm run bench -- --only=analytics --analytics-messages=100000
 *                                       analytics over fewer generated messages (default a million,
 *                                       100,000 with --quick; or AURION_BENCH_ANALYTICS_MESSAGES)
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { cpus, loadavg, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { run as runAnalytics } from './analytics.ts'
import { describeBadInput, runBadInput } from './bad-input.ts'
import { total } from './crash/verify.ts'
import { type CrashResult, DEFAULT_KILLS, runCrashSafety } from './crash-safety.ts'
import { run as runCrawl } from './crawl.ts'
import { run as runHandoff } from './handoff-scale.ts'
import { run as runHttp } from './http.ts'
import { type BenchRow, formatTable, row } from './lib/report.ts'
import { run as runLighthouse } from './lighthouse.ts'
import { run as runLlm } from './llm-ttfc.ts'
import { runRepeated } from './repeat.ts'
import { run as runWebhooks } from './webhooks.ts'
import { run as runWebSocket } from './websocket.ts'
import { run as runWidget } from './widget.ts'

const ROOT = resolve(import.meta.dirname, '..')
const SECTIONS = [
  'http',
  'ws',
  'handoff',
  'widget',
  'llm',
  'crash',
  'bad-input',
  'webhooks',
  'crawl',
  'analytics',
  'lighthouse',
] as const
type Section = (typeof SECTIONS)[number]

/** Soft and hard limits on open files of this process (Linux), or undefined elsewhere. */
function fileLimits(): { soft: number; hard: number } | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'))
    const [soft, hard] = line!
      .split(/\s+/)
      .slice(3, 5)
      .map((v) => (v === 'unlimited' ? Infinity : Number(v)))
    return { soft: soft!, hard: hard! }
  } catch {
    return undefined
  }
}

/**
 * 10,000 sockets need more than the usual 1,024 open files. A process may raise its own soft
 * limit up to the hard one, but Node cannot: run again under `sh -c 'ulimit -n …'`.
 */
function ensureFileLimit(needed: number): number | undefined {
  const limits = fileLimits()
  if (!limits || limits.soft >= needed) return limits?.soft
  if (process.env.AURION_BENCH_RELAUNCHED !== '1' && limits.hard > limits.soft) {
    const target = Math.min(limits.hard, 65_536)
    const args = [fileURLToPath(import.meta.url), ...process.argv.slice(2)].map(
      (a) => `'${a.replace(/'/g, "'\\''")}'`,
    )
    const r = spawnSync(
      'sh',
      ['-c', `ulimit -n ${target} && exec "${process.execPath}" --import tsx ${args.join(' ')}`],
      {
        stdio: 'inherit',
        env: { ...process.env, AURION_BENCH_RELAUNCHED: '1' },
      },
    )
    process.exit(r.status ?? 1)
  }
  return limits.soft
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect({ host: '127.0.0.1', port })
    s.setTimeout(1000, () => {
      s.destroy()
      r(false)
    })
    s.once('connect', () => {
      s.destroy()
      r(true)
    })
    s.once('error', () => r(false))
  })
}

function gitCommit(): string | undefined {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : undefined
}

function crashRows(r: CrashResult): BenchRow[] {
  const s = `crash ${r.dialect}`
  const lost = total(r.lost)
  const duplicated = total(r.duplicated)
  return [
    row({
      section: s,
      name: `visitor messages stored of acknowledged (${r.kills} SIGKILLs, ${r.retries} retried attempts)`,
      value: r.stored.visitor,
      unit: 'msgs',
      baseline: r.acknowledged.visitor,
      baselineLabel: 'acknowledged',
      goal: '= acknowledged',
      pass: r.stored.visitor === r.acknowledged.visitor,
    }),
    row({
      section: s,
      name: `person replies stored of acknowledged (${r.acknowledged.handoffs} hand-offs)`,
      value: r.stored.agent,
      unit: 'msgs',
      baseline: r.acknowledged.agent,
      baselineLabel: 'acknowledged',
      goal: '= acknowledged',
      pass: r.stored.agent === r.acknowledged.agent,
    }),
    row({
      section: s,
      name: 'lost (messages, replies, hand-offs, webhook events or deliveries)',
      value: lost,
      unit: '',
      goal: '0',
      pass: lost === 0,
    }),
    row({
      section: s,
      name: 'duplicated (stored twice, or two event rows for one change)',
      value: duplicated,
      unit: '',
      goal: '0',
      pass: duplicated === 0,
    }),
    row({
      section: s,
      name: `webhook events delivered of ${r.webhooks.events} (${r.webhooks.duplicateDeliveries} delivered again after a kill)`,
      value: r.webhooks.delivered,
      unit: 'events',
      baseline: r.webhooks.events,
      baselineLabel: 'in the outbox',
      goal: '= outbox',
      pass: r.webhooks.delivered === r.webhooks.events,
    }),
    row({
      section: s,
      name: `integrity checks failed${r.integrity === 'ok' ? '' : `: ${r.integrity.slice(0, 80)}`}`,
      value: r.integrity.startsWith('ok') ? 0 : 1,
      unit: '',
      goal: '0',
      pass: r.integrity.startsWith('ok'),
    }),
    row({
      section: s,
      name: 'restart after SIGKILL (code loaded), median',
      value: r.restartMs,
      unit: 'ms',
    }),
  ]
}

async function main() {
  const args = process.argv.slice(2)
  const repeatArg = args.find((a) => a.startsWith('--repeat='))
  if (repeatArg) {
    const times = Number(repeatArg.slice('--repeat='.length))
    if (!Number.isInteger(times) || times < 1)
      throw new Error('--repeat must be a whole number ≥ 1')
    process.exitCode = runRepeated(
      times,
      args.filter((a) => a !== repeatArg),
    )
    return
  }
  const quick = args.includes('--quick')
  const onlyArg = args.find((a) => a.startsWith('--only='))
  const only = new Set(
    (onlyArg ? onlyArg.slice('--only='.length).split(',') : SECTIONS).map((s) => s.trim()),
  ) as Set<Section>
  for (const s of only)
    if (!SECTIONS.includes(s)) throw new Error(`unknown section ${s} (${SECTIONS.join(', ')})`)

  let sockets = quick ? 2000 : 10_000
  if (only.has('ws')) {
    const soft = ensureFileLimit(sockets + 2000)
    if (soft !== undefined && soft < sockets + 2000) {
      sockets = Math.max(100, soft - 2000)
      console.warn(
        `! open-file limit ${soft}: measuring ${sockets} sockets (raise "ulimit -n" for 10,000)`,
      )
    }
  }
  const handoffVisitors = quick ? 500 : 2000
  // The hand-off clients: visitors' sockets, agents' streams and their HTTP connections.
  if (only.has('handoff')) ensureFileLimit(handoffVisitors + 1000)
  const pgUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const pg = process.env.TEST_DATABASE_URL !== undefined || (await portOpen(5432))
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
  const redis = process.env.TEST_REDIS_URL !== undefined || (await portOpen(6379))

  const started = new Date()
  const load0 = loadavg()[0]!
  const rows: BenchRow[] = []
  const errors: { section: string; message: string }[] = []
  const details: Record<string, unknown> = {}
  const step = async (section: Section, title: string, fn: () => Promise<BenchRow[]>) => {
    if (!only.has(section)) return
    const t0 = performance.now()
    process.stdout.write(`▸ ${title}… `)
    try {
      const got = await fn()
      rows.push(...got)
      console.log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`)
    } catch (err) {
      console.log('FAILED')
      console.error(err)
      errors.push({
        section,
        message: err instanceof Error ? (err.stack ?? err.message) : String(err),
      })
    }
  }

  console.log(
    `Aurion bench: ${cpus().length} CPUs, load ${load0.toFixed(1)}, Node ${process.version}${quick ? ', quick' : ''}\n`,
  )
  await step('http', 'HTTP: embed config and messages vs raw node:http', () =>
    runHttp({ durationSec: quick ? 3 : 6 }),
  )
  await step('ws', `WebSocket: ${sockets} idle sockets and 500 chatting visitors vs bare ws`, () =>
    runWebSocket({ sockets, visitors: quick ? 200 : 500, durationSec: quick ? 10 : 20 }),
  )
  await step(
    'handoff',
    `Hand-off at scale: ${handoffVisitors} visitors and 50 agents on two instances (PostgreSQL, Redis) vs a bare Redis relay`,
    async () => {
      if (!pg || !redis) {
        console.warn('\n! hand-off needs PostgreSQL on 127.0.0.1:5432 and Redis on 6379: skipped')
        return []
      }
      return runHandoff({
        visitors: handoffVisitors,
        agents: 50,
        durationSec: quick ? 20 : 40,
        pgUrl,
        redisUrl,
        log: (line) => console.log(`\n  ${line}`),
      })
    },
  )
  await step('widget', 'Widget: sizes, launcher time and main-thread blocking in Chromium', () =>
    runWidget({ runs: quick ? 1 : 3 }),
  )
  await step('llm', 'LLM agent: time to first chunk vs the same stream direct', async () =>
    (await runLlm({ iterations: quick ? 100 : 400 })).map((r) => ({
      ...row({
        section: 'llm',
        name: r.name,
        value: r.value,
        unit: r.unit,
        baseline: r.baseline,
        baselineLabel: r.baseline !== undefined ? 'direct openai SDK stream' : undefined,
        goal: r.goal,
      }),
      ...(r.goal ? { pass: r.value <= Number(/([\d.]+)/.exec(r.goal)?.[1] ?? Infinity) } : {}),
    })),
  )
  await step('webhooks', 'Webhooks: delivery rate and the added p99 of a message', () =>
    runWebhooks({ messages: quick ? 200 : 1500 }),
  )
  await step('crawl', 'Crawling: a 200-page loopback site through the API vs plain fetch', () =>
    runCrawl({ pages: 200 }),
  )
  const analyticsArg = args.find((a) => a.startsWith('--analytics-messages='))
  const analyticsMessages = Number(
    analyticsArg?.slice('--analytics-messages='.length) ??
      process.env.AURION_BENCH_ANALYTICS_MESSAGES ??
      (quick ? 100_000 : 1_000_000),
  )
  if (!Number.isInteger(analyticsMessages) || analyticsMessages < 8)
    throw new Error('--analytics-messages must be a whole number ≥ 8')
  await step(
    'analytics',
    `Analytics: overview and unanswered over ${analyticsMessages.toLocaleString('en-US')} generated messages vs count(*)`,
    async () => {
      const r = await runAnalytics({ messages: analyticsMessages, pgUrl: pg ? pgUrl : undefined })
      details.analytics = r.figures.map(({ overview, ...f }) => ({
        ...f,
        conversationsInOverview: (overview as { conversations?: number }).conversations,
      }))
      return r.rows
    },
  )
  await step('lighthouse', 'Host-page cost: Lighthouse, no widget vs Aurion vs ElevenLabs', () =>
    runLighthouse({ rounds: quick ? 1 : 3 }),
  )
  await step('crash', 'Crash safety: SIGKILL under writers, SQLite and PostgreSQL', async () => {
    const out: BenchRow[] = []
    // The same 100 SIGKILLs per database as `npm run reliability` (10 with --quick).
    const kills = quick ? 10 : DEFAULT_KILLS
    const sqlite = await runCrashSafety({ dialect: 'sqlite', kills })
    details.crashSqlite = sqlite
    out.push(...crashRows(sqlite))
    if (pg) {
      const postgres = await runCrashSafety({ dialect: 'postgres', pgUrl, kills })
      details.crashPostgres = postgres
      out.push(...crashRows(postgres))
    } else
      console.warn(
        '\n! no PostgreSQL on 127.0.0.1:5432 and TEST_DATABASE_URL unset: PostgreSQL crash run skipped',
      )
    return out
  })
  await step('bad-input', 'Bad input: OpenAPI-driven fuzzing, raw HTTP, WebSocket', async () => {
    const r = await runBadInput({ requests: quick ? 3000 : 12_500, wsSessions: quick ? 100 : 300 })
    details.badInput = r
    console.log(`\n${describeBadInput(r)}`)
    const s = 'bad input'
    return [
      row({
        section: s,
        name: `malformed requests refused with a 4xx (of ${r.requests}, ${r.operations} operations)`,
        value: r.refused,
        unit: '',
        ...(quick ? {} : { goal: '≥ 10000', pass: r.refused >= 10_000 }),
      }),
      row({
        section: s,
        name: `5xx answers (${r.requests} requests, ${r.operations} operations)`,
        value: r.serverErrors,
        unit: '',
        goal: '0',
        pass: r.serverErrors === 0,
      }),
      row({
        section: s,
        name: `WebSocket server errors (${r.wsSessions} sessions, ${r.wsFrames} frames)`,
        value: r.wsServerErrors,
        unit: '',
        goal: '0',
        pass: r.wsServerErrors === 0,
      }),
      row({
        section: s,
        name: 'malformed requests accepted for the victim tenant',
        value: r.victimAccepted,
        unit: '',
        goal: '0',
        pass: r.victimAccepted === 0,
      }),
      row({
        section: s,
        name: "victim tenant's stored rows changed",
        value: r.changed.length,
        unit: '',
        goal: '0',
        pass: r.changed.length === 0,
      }),
      row({
        section: s,
        name: 'server down or unhealthy afterwards',
        value: r.serverAlive ? 0 : 1,
        unit: '',
        goal: '0',
        pass: r.serverAlive,
      }),
      row({
        section: s,
        name: 'unhandled errors logged',
        value: r.loggedErrors.length,
        unit: '',
        goal: '0',
        pass: r.loggedErrors.length === 0,
      }),
      row({
        section: s,
        name: "clients' WebSocket protocol errors logged at error level",
        value: r.loggedClientErrors,
        unit: '',
        goal: '0',
        pass: r.loggedClientErrors === 0,
      }),
    ]
  })

  const finished = new Date()
  console.log(`\n${formatTable(rows)}\n`)
  const missed = rows.filter((r) => r.pass === false)
  console.log(
    `${rows.length} figures in ${((finished.getTime() - started.getTime()) / 1000).toFixed(0)} s; ${missed.length} goals missed${errors.length > 0 ? `; ${errors.length} sections FAILED (${errors.map((e) => e.section).join(', ')})` : ''}`,
  )
  const dir = join(ROOT, 'bench/results')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, 'latest.json')
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        commit: gitCommit(),
        machine: {
          cpus: cpus().length,
          cpu: cpus()[0]?.model,
          memoryBytes: totalmem(),
          loadBefore: load0,
          loadAfter: loadavg()[0],
          node: process.version,
        },
        quick,
        sections: [...only],
        rows,
        errors,
        details,
      },
      null,
      2,
    )}\n`,
  )
  console.log(`written to ${file}`)
  // Correctness figures failing is a failed run; a missed performance goal is a finding.
  const correctness = rows.filter((r) => r.pass === false && /^(crash|bad input)/.test(r.section))
  process.exitCode = errors.length > 0 || correctness.length > 0 ? 1 : 0
}

await main()
