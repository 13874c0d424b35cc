/**
 * HTTP figures through the full stack (the server as `aurion serve` starts it, SQLite file with
 * WAL + synchronous=FULL, built-in agent, rate limits raised with AURION_RATE_LIMIT_MULTIPLIER)
 * against a raw `node:http` server answering a same-size JSON body, in the same run:
 * `POST /api/v1/voice-widget/embed/config` and `POST /api/v1/widget/messages` (every request a
 * new `source_message_id`; persisted messages counted in the database afterwards). Each server is
 * first warmed until its heap stops growing (warmUp in lib/autocannon.ts).
 *
 * Each target is loaded in alternating slices with its baseline (see compareLoads), so drift in
 * a shared machine's load hits both alike.
 *
 *   npx tsx bench/http.ts    (BENCH_DURATION=seconds of load per target and endpoint, default 6;
 *                             BENCH_DROP_TRIGGERS=name,… drops those triggers from the seeded
 *                             database first, to see what they cost)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import SQLite from 'better-sqlite3'
import { compareLoads, type LoadRequest, type LoadTarget, warmUp } from './lib/autocannon.ts'
import { type BenchChild, forkServer } from './lib/child.ts'
import { type BenchRow, formatTable, round, row } from './lib/report.ts'
import { BENCH_ORIGIN, BENCH_SECRET, seedStore } from './lib/seed.ts'

const SECTION = 'http'
/** At most this long a target is warmed until its heap stops growing (see warmUp). */
const SETTLE_SEC = 20
const QUESTIONS = [
  'I forgot my password',
  'How do I connect to the VPN from home?',
  'My printer is offline',
  'How do I set up the authenticator app?',
  'Outlook keeps asking for my password',
]

/** The bench's `POST /api/v1/voice-widget/embed/config` request: the same body every time. */
export function embedConfigRequest(auth: { tenant_id: string; public_key: string }) {
  return {
    method: 'POST',
    path: '/api/v1/voice-widget/embed/config',
    headers: { 'content-type': 'application/json', origin: BENCH_ORIGIN },
    body: JSON.stringify(auth),
  }
}

/**
 * The bench's `POST /widget/messages` load: every request a new `source_message_id`, a visitor
 * asking three questions per conversation. `prefix` tags the ids (warm-up vs measured run).
 */
export function messageRequests(auth: { tenant_id: string; public_key: string }) {
  let n = 0
  const state = {
    prefix: 'warm',
    request: {
      method: 'POST',
      path: '/api/v1/widget/messages',
      headers: { 'content-type': 'application/json', origin: BENCH_ORIGIN },
      setupRequest: (req: Record<string, unknown>) => {
        n++
        return {
          ...req,
          body: JSON.stringify({
            ...auth,
            body: QUESTIONS[n % QUESTIONS.length],
            source_thread_id: `bench-thread-${state.prefix}-${Math.floor(n / 3)}`,
            source_message_id: `bench-${state.prefix}-${n}`,
          }),
        }
      },
    },
  }
  return state
}

export interface HttpOptions {
  durationSec?: number
  connections?: number
  /** Alternating slices per target (A B B A …); each is durationSec / rounds long. */
  rounds?: number
  /** Extra environment for the Aurion server (e.g. AURION_TENANT_CACHE_TTL_MS=0). */
  env?: Record<string, string>
  /** Node flags for the Aurion server (e.g. --cpu-prof). */
  execArgv?: string[]
  /**
   * Triggers dropped from the seeded database before the server starts: what a feature's
   * triggers cost the message path (BENCH_DROP_TRIGGERS=name,… on the command line).
   */
  dropTriggers?: string[]
}

/** Environment of a bench Aurion server on `dataDir` (SQLite), nothing inherited that matters. */
export function aurionEnv(dataDir: string, extra: Record<string, string> = {}) {
  return {
    AURION_DATA_DIR: dataDir,
    AURION_SECRET: BENCH_SECRET,
    DATABASE_URL: '',
    REDIS_URL: '',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    AURION_DEMO: 'false',
    AURION_AGENT: 'builtin',
    AURION_RATE_LIMIT_MULTIPLIER: '1000000',
    ...extra,
  }
}

/** Durable single-insert transactions per second on this disk (WAL, synchronous=FULL). */
export function rawCommitRate(dir: string, ms = 2000): number {
  const db = new SQLite(join(dir, 'raw-commit.db'))
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.exec('create table t (id integer primary key, body text not null)')
    const insert = db.prepare('insert into t (body) values (?)')
    const tx = db.transaction((b: string) => insert.run(b))
    const start = performance.now()
    let n = 0
    while (performance.now() - start < ms) tx(`message ${n++}`)
    return n / ((performance.now() - start) / 1000)
  } finally {
    db.close()
  }
}

export async function run(opts: HttpOptions = {}): Promise<BenchRow[]> {
  const durationSec = opts.durationSec ?? 6
  const connections = opts.connections ?? 10
  const rounds = opts.rounds ?? 3
  const dir = mkdtempSync(join(tmpdir(), 'aurion-bench-http-'))
  const children: BenchChild[] = []
  try {
    const tenant = await seedStore({ dialect: 'sqlite', file: join(dir, 'aurion.db') })
    if (opts.dropTriggers?.length) {
      const seeded = new SQLite(join(dir, 'aurion.db'))
      for (const t of opts.dropTriggers) seeded.exec(`drop trigger "${t.replaceAll('"', '')}"`)
      seeded.close()
    }
    const aurion = await forkServer('aurion', aurionEnv(dir, opts.env), {
      execArgv: opts.execArgv ?? [],
    })
    children.push(aurion)
    const base = `http://127.0.0.1:${aurion.port}`
    const auth = { tenant_id: tenant.tenantId, public_key: tenant.publicKey }
    const configReq = embedConfigRequest(auth)

    // The answers' sizes, for the raw servers.
    const configRes = await fetch(`${base}${configReq.path}`, configReq)
    if (configRes.status !== 200) throw new Error(`embed config answered ${configRes.status}`)
    const configBytes = Buffer.byteLength(await configRes.text())
    const sample = await fetch(`${base}/api/v1/widget/messages`, {
      method: 'POST',
      headers: configReq.headers,
      body: JSON.stringify({ ...auth, body: QUESTIONS[0], source_message_id: 'bench-probe' }),
    })
    if (sample.status !== 200) throw new Error(`messages answered ${sample.status}`)
    const messageBytes = Buffer.byteLength(await sample.text())

    const rawConfig = await forkServer('raw-http', { RAW_BODY_BYTES: String(configBytes) })
    children.push(rawConfig)
    const rawMessages = await forkServer('raw-http', { RAW_BODY_BYTES: String(messageBytes) })
    children.push(rawMessages)

    const slicing = { rounds, sliceSec: durationSec / rounds, connections }
    const targets = (raw: BenchChild, request: LoadRequest) => {
      const of = (child: BenchChild): LoadTarget => ({
        url: `http://127.0.0.1:${child.port}`,
        request,
        cpu: child.cpu,
        faults: child.faults,
      })
      return { a: of(raw), b: of(aurion) }
    }
    /** Both targets warmed (see warmUp), one after the other; the seconds each took. */
    const warmBoth = async (
      t: { a: LoadTarget; b: LoadTarget },
      how: { minSec: number; settleSec?: number },
    ) => ({
      a: await warmUp(t.a, { ...how, connections }),
      b: await warmUp(t.b, { ...how, connections }),
    })

    const configTargets = targets(rawConfig, configReq)
    const configWarmed = await warmBoth(configTargets, { minSec: 1, settleSec: SETTLE_SEC })
    const configRun = await compareLoads(configTargets, slicing)
    const rawC = configRun.a
    const embed = configRun.b
    if (embed.failed > 0 || rawC.failed > 0)
      throw new Error(`embed config: ${JSON.stringify(embed.statuses)} ${embed.failed} failed`)

    const messageLoad = messageRequests(auth)
    const messageReq = messageLoad.request
    const messageTargets = targets(rawMessages, messageReq)
    // A fixed three seconds: this path's heap grows with the store and never settles by
    // warmUp's measure. The warm-up's messages are not counted.
    const messagesWarmed = await warmBoth(messageTargets, { minSec: 3 })
    messageLoad.prefix = 'run'
    const messageRun = await compareLoads(messageTargets, slicing)
    const rawM = messageRun.a
    const messages = messageRun.b
    if (messages.failed > 0)
      throw new Error(`messages: ${JSON.stringify(messages.statuses)}, ${messages.failed} failed`)

    const db = new SQLite(join(dir, 'aurion.db'), { readonly: true })
    const counted = db
      .prepare(
        "select count(*) as n, count(distinct source_message_id) as d from messages where sender_type = 'contact' and source_message_id like 'bench-run-%'",
      )
      .get() as { n: number; d: number }
    const replies = db
      .prepare(
        "select count(*) as n from messages m join messages u on m.reply_to_id = u.id where u.source_message_id like 'bench-run-%'",
      )
      .get() as { n: number }
    db.close()
    if (counted.n !== counted.d) throw new Error(`${counted.n - counted.d} duplicated messages`)
    if (counted.n < messages.ok)
      throw new Error(`${messages.ok} messages acknowledged but only ${counted.n} stored`)
    const commitRate = rawCommitRate(dir)
    const persisted = counted.n / durationSec

    const raw = 'raw node:http'
    return [
      row({
        section: SECTION,
        name: 'embed/config throughput',
        value: embed.rps,
        unit: 'req/s',
        baseline: rawC.rps,
        baselineLabel: raw,
        goal: '≥ 0.6× raw',
        pass: embed.rps >= 0.6 * rawC.rps,
      }),
      row({
        section: SECTION,
        name: 'embed/config latency p50',
        value: embed.p50,
        unit: 'ms',
        baseline: rawC.p50,
        baselineLabel: raw,
      }),
      // autocannon times requests in whole milliseconds: a raw p99 under 1 ms counts as 1 ms.
      row({
        section: SECTION,
        name: 'embed/config latency p99',
        value: embed.p99,
        unit: 'ms',
        baseline: Math.max(rawC.p99, 1),
        baselineLabel:
          rawC.p99 < 1 ? `${raw}: ${round(rawC.p99)} ms, counted as 1 (whole-ms timer)` : raw,
        goal: '≤ 2× raw',
        pass: embed.p99 <= 2 * Math.max(rawC.p99, 1),
      }),
      row({
        section: SECTION,
        name: 'embed/config server CPU per request',
        value: embed.cpuPerRequest ?? Number.NaN,
        unit: 'µs',
        baseline: rawC.cpuPerRequest,
        baselineLabel: raw,
      }),
      row({
        section: SECTION,
        name: `embed/config warm-up (until settled, at most ${SETTLE_SEC} s)`,
        value: configWarmed.b,
        unit: 's',
        baseline: configWarmed.a,
        baselineLabel: raw,
      }),
      row({
        section: SECTION,
        name: 'widget/messages throughput',
        value: messages.rps,
        unit: 'req/s',
        baseline: rawM.rps,
        baselineLabel: raw,
      }),
      row({
        section: SECTION,
        name: 'widget/messages latency p50',
        value: messages.p50,
        unit: 'ms',
        baseline: rawM.p50,
        baselineLabel: raw,
      }),
      row({
        section: SECTION,
        name: 'widget/messages latency p99',
        value: messages.p99,
        unit: 'ms',
        baseline: rawM.p99,
        baselineLabel: raw,
      }),
      row({
        section: SECTION,
        name: 'widget/messages server CPU per request',
        value: messages.cpuPerRequest ?? Number.NaN,
        unit: 'µs',
        baseline: rawM.cpuPerRequest,
        baselineLabel: raw,
      }),
      row({
        section: SECTION,
        name: 'widget/messages warm-up',
        value: messagesWarmed.b,
        unit: 's',
        baseline: messagesWarmed.a,
        baselineLabel: raw,
      }),
      row({
        section: SECTION,
        name: 'widget/messages persisted, visitor messages + AI replies',
        value: (counted.n + replies.n) / durationSec,
        unit: 'msg/s',
        baseline: commitRate,
        baselineLabel: 'raw SQLite durable commits/s, 1 insert each',
      }),
      row({
        section: SECTION,
        name: 'widget/messages persisted, visitor messages',
        value: persisted,
        unit: 'msg/s',
        baseline: commitRate,
        baselineLabel: 'raw SQLite durable commits/s, 1 insert each',
        goal: '≥ 2000 msg/s',
        pass: persisted >= 2000,
      }),
    ]
  } finally {
    await Promise.all(children.map((c) => c.stop()))
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await run({
    durationSec: Number(process.env.BENCH_DURATION ?? 6),
    dropTriggers: process.env.BENCH_DROP_TRIGGERS?.split(',').filter(Boolean),
  })
  console.log(formatTable(rows))
}
