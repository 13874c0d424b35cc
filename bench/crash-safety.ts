/**
 * Crash safety: writers store visitor messages (REST and WebSocket, each with a
 * `source_message_id`, in conversations that go on across crashes), ask for a person (the
 * "Talk to a person" quick action: a hand-off), and reply as a person through the API in the
 * handed-off conversations (with a `source_message_id` too), retrying every failure with the same
 * id, while the server process is killed with SIGKILL at random moments and restarted on the
 * same data. A webhook endpoint subscribed to `message.created`, `conversation.created` and
 * `conversation.handoff_requested` points at a loopback receiver that counts deliveries by
 * `webhook-id`.
 *
 * Afterwards, once the last server drained its outbox: every acknowledged message (visitor,
 * assistant reply, person) is stored exactly once, every acknowledged hand-off is recorded with
 * one event, every stored message and conversation has exactly one event row and one delivery
 * row, every event was delivered at least once (a delivery made again after a kill is counted,
 * and allowed), and the database passes its integrity checks (SQLite `integrity_check` +
 * `foreign_key_check`; PostgreSQL amcheck on every index).
 *
 *   npx tsx bench/crash-safety.ts [sqlite|postgres] [kills]
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { freeLoopbackPort } from '@aurion/server/test-support'
import { bundleBenchServer } from './crash/bundle.ts'
import { checkIntegrity } from './crash/integrity.ts'
import { standbyPool } from './crash/pool.ts'
import { type CrashCounts, total, verifyRun } from './crash/verify.ts'
import { awaitDrained, startWebhookSink, subscribe } from './crash/webhook-sink.ts'
import {
  agentWriter,
  handoffWriter,
  newLedger,
  restWriter,
  type WriterContext,
  wsWriter,
} from './crash/writers.ts'
import { aurionEnv } from './http.ts'
import { type BenchStore, dropStore, openStore, seedStore, storeDatabaseUrl } from './lib/seed.ts'
import type { StandbyServer } from './lib/standby.ts'
import { median } from './lib/stats.ts'

/** SIGKILLs per database of `npm run reliability` and the bench's `crash` section. */
export const DEFAULT_KILLS = 100

export interface CrashOptions {
  dialect: 'sqlite' | 'postgres'
  /** PostgreSQL server (a schema of its own is created and dropped). */
  pgUrl?: string
  kills?: number
  restWriters?: number
  wsWriters?: number
  handoffWriters?: number
  agentWriters?: number
  /** How long each server incarnation runs before it is killed (ms, uniform). */
  upMs?: [number, number]
  log?: (line: string) => void
}

export interface CrashResult extends CrashCounts {
  dialect: 'sqlite' | 'postgres'
  kills: number
  /** `ok`, or what the integrity checks reported. */
  integrity: string
  /** Failed attempts the writers retried (connections cut by the kills, refused while down). */
  retries: number
  /** 5xx answers seen by the writers (retried; 503 while a database restarts is legitimate). */
  serverErrors: Record<string, number>
  /** Median time from a SIGKILL to the next incarnation listening. */
  restartMs: number
  /** From the writers stopping to every event delivered (undefined: not within the bound). */
  drainMs: number | undefined
  /** The whole run, setup and verification included. */
  runtimeMs: number
}

/** Nothing lost, nothing stored or recorded twice, integrity intact. */
export function crashPassed(r: CrashResult): boolean {
  return (
    total(r.lost) === 0 &&
    total(r.duplicated) === 0 &&
    r.stored.visitor === r.acknowledged.visitor &&
    r.stored.agent === r.acknowledged.agent &&
    r.integrity.startsWith('ok')
  )
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const between = ([a, b]: [number, number]) => a + Math.random() * (b - a)
const DRAIN_BOUND_MS = 120_000

export async function runCrashSafety(opts: CrashOptions): Promise<CrashResult> {
  const started = performance.now()
  const log = opts.log ?? (() => {})
  const kills = opts.kills ?? DEFAULT_KILLS
  const upMs = opts.upMs ?? [300, 900]
  const dir = mkdtempSync(join(tmpdir(), 'aurion-crash-'))
  const store: BenchStore =
    opts.dialect === 'sqlite'
      ? { dialect: 'sqlite', file: join(dir, 'aurion.db') }
      : {
          dialect: 'postgres',
          url: opts.pgUrl ?? 'postgres://postgres@127.0.0.1:5432/test',
          schema: `bench_crash_${randomBytes(5).toString('hex')}`,
        }
  const sink = await startWebhookSink()
  const bundle = await bundleBenchServer()
  let pool: ReturnType<typeof standbyPool> | undefined
  let active: StandbyServer | undefined
  try {
    const tenant = await seedStore(store)
    const port = await freeLoopbackPort()
    // A short attempt limit makes the lease of a delivery cut by a kill short (3 limits).
    const env = aurionEnv(dir, {
      PORT: String(port),
      DATABASE_URL: storeDatabaseUrl(store),
      LOG_LEVEL: 'warn',
      AURION_WEBHOOK_ALLOW_PRIVATE: 'true',
      AURION_WEBHOOK_TIMEOUT_MS: '2000',
      AURION_WEBHOOK_RETRY_BASE_MS: '100',
      AURION_WEBHOOK_POLL_MS: '100',
    })
    const base = `http://127.0.0.1:${port}`
    pool = standbyPool(env, bundle.file, { ahead: 4, total: kills + 1 })
    active = await pool.next()
    await active.go()
    await subscribe(base, tenant.apiKey, sink.url)

    const ledger = newLedger()
    const serverErrors: Record<string, number> = {}
    let retries = 0
    let stopping = false
    let fatal: Error | undefined
    const ctx: WriterContext = {
      base,
      tenantId: tenant.tenantId,
      publicKey: tenant.publicKey,
      apiKey: tenant.apiKey,
      ledger,
      running: () => !stopping && !fatal,
      fail: (err) => {
        fatal ??= err
      },
      retried: () => {
        retries++
      },
      serverError: (status) => {
        serverErrors[status] = (serverErrors[status] ?? 0) + 1
      },
      log,
    }
    const handedOff: string[] = []
    const writers = [
      ...Array.from({ length: opts.restWriters ?? 5 }, (_, w) => restWriter(ctx, w)),
      ...Array.from({ length: opts.wsWriters ?? 3 }, (_, w) => wsWriter(ctx, w)),
      ...Array.from({ length: opts.handoffWriters ?? 2 }, (_, w) =>
        handoffWriter(ctx, w, handedOff),
      ),
      ...Array.from({ length: opts.agentWriters ?? 2 }, (_, w) => agentWriter(ctx, w, handedOff)),
    ]
    const restarts: number[] = []
    for (let k = 0; k < kills && !fatal; k++) {
      const standby = await pool.next()
      await sleep(between(upMs))
      if (active.crashed()) throw new Error(`the server crashed on its own:\n${active.output()}`)
      await active.kill()
      const t0 = performance.now()
      await standby.go()
      restarts.push(performance.now() - t0)
      active = standby
      if ((k + 1) % 10 === 0 || k + 1 === kills)
        log(
          `  kill ${k + 1}/${kills}: ${ledger.visitor.size} visitor messages, ${ledger.handoffs.size} hand-offs, ${ledger.agent.size} person replies acknowledged so far`,
        )
    }
    await pool.drain()
    await sleep(500)
    stopping = true
    const finished = await Promise.race([
      Promise.all(writers).then(() => true),
      sleep(60_000).then(() => false),
    ])
    if (fatal) throw fatal
    if (!finished)
      throw new Error(
        `writers did not finish within 60 s of the last restart; server output:\n${active.output()}`,
      )

    const database = await openStore(store, { migrate: false })
    let counts: CrashCounts
    let drainMs: number | undefined
    try {
      drainMs = await awaitDrained(database, tenant.tenantId, sink, DRAIN_BOUND_MS)
      await Promise.all(pool.all().map((s) => s.stop()))
      counts = await verifyRun(database, tenant.tenantId, ledger, sink.received())
    } finally {
      await database.close()
    }
    return {
      dialect: opts.dialect,
      kills: restarts.length,
      retries,
      serverErrors,
      restartMs: median(restarts),
      drainMs,
      ...counts,
      integrity: await checkIntegrity(store),
      runtimeMs: performance.now() - started,
    }
  } finally {
    await pool?.drain()
    await Promise.all((pool?.all() ?? []).map((s) => s.kill()))
    await sink.close()
    bundle.remove()
    await dropStore(store).catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
}

/** One paragraph of counts for a crash run. */
export function describeCrash(r: CrashResult): string {
  const errors = Object.entries(r.serverErrors)
    .map(([k, n]) => `${k}×${n}`)
    .join(' ')
  const kinds = (c: { visitor: number; replies: number; handoffs: number; agent: number }) =>
    `visitor ${c.visitor}, replies ${c.replies}, hand-offs ${c.handoffs}, person ${c.agent}`
  return [
    `crash safety [${r.dialect}]: ${r.kills} SIGKILLs in ${(r.runtimeMs / 1000).toFixed(0)} s, restart median ${r.restartMs.toFixed(0)} ms; ${r.retries} attempts retried${errors ? `, 5xx while restarting: ${errors}` : ''}`,
    `  acknowledged: ${kinds(r.acknowledged)}`,
    `  stored:       ${kinds(r.stored)}, conversations ${r.stored.conversations}`,
    `  webhooks: ${r.webhooks.events} events, ${r.webhooks.delivered} delivered, ${r.webhooks.duplicateDeliveries} duplicate deliveries (allowed), outbox drained ${r.drainMs === undefined ? `NOT within ${DRAIN_BOUND_MS / 1000} s` : `in ${(r.drainMs / 1000).toFixed(1)} s`}`,
    `  lost: ${total(r.lost)} (${kinds(r.lost)}, events ${r.lost.events}, deliveries ${r.lost.deliveries}); duplicated: ${total(r.duplicated)} (${kinds(r.duplicated)}, events ${r.duplicated.events}); integrity ${r.integrity}`,
    ...r.samples.map((s) => `  ! ${s}`),
  ].join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dialect = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgres'
  const r = await runCrashSafety({
    dialect,
    ...(dialect === 'postgres' && process.env.TEST_DATABASE_URL
      ? { pgUrl: process.env.TEST_DATABASE_URL }
      : {}),
    kills: Number(process.argv[3] ?? DEFAULT_KILLS),
    log: (l) => console.log(l),
  })
  console.log(describeCrash(r))
  process.exitCode = crashPassed(r) ? 0 : 1
}
