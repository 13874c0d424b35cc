/**
 * Crash safety: writers send messages (REST and WebSocket, each with a `source_message_id`, in
 * conversations that go on across crashes) and retry every failure with the same id, while the
 * server process is killed with SIGKILL at random moments and restarted on the same data. After
 * the run every acknowledged message (HTTP 200 / `ack` frame) must be stored exactly once (and a
 * REST-acknowledged message's reply too), no reply may be stored twice, and the database must
 * pass its integrity checks (SQLite `integrity_check` + `foreign_key_check`; PostgreSQL amcheck
 * on every index).
 *
 *   npx tsx bench/crash-safety.ts [sqlite|postgres] [kills]
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import SQLite from 'better-sqlite3'
import pg from 'pg'
import type WebSocket from 'ws'
import { aurionEnv } from './http.ts'
import {
  BENCH_ORIGIN,
  type BenchStore,
  dropStore,
  seedStore,
  storeDatabaseUrl,
} from './lib/seed.ts'
import { openSocket } from './lib/sockets.ts'
import { type StandbyServer, spawnStandby } from './lib/standby.ts'
import { median } from './lib/stats.ts'

export interface CrashOptions {
  dialect: 'sqlite' | 'postgres'
  /** PostgreSQL server (a schema of its own is created and dropped). */
  pgUrl?: string
  kills?: number
  restWriters?: number
  wsWriters?: number
  /** How long each server incarnation runs before it is killed (ms, uniform). */
  upMs?: [number, number]
  log?: (line: string) => void
}

export interface CrashResult {
  dialect: 'sqlite' | 'postgres'
  kills: number
  /** Messages the server acknowledged (HTTP 200 or an `ack` frame). */
  acknowledged: number
  /** Writer messages found in the database. */
  stored: number
  /** Acknowledged but not stored (or stored under another id than the one acknowledged). */
  lost: number
  /** Messages or replies stored more than once. */
  duplicated: number
  /** REST-acknowledged messages whose acknowledged reply is not stored. */
  lostReplies: number
  /** `ok`, or what the integrity checks reported. */
  integrity: string
  /** Failed attempts the writers retried (connections cut by the kills, refused while down). */
  retries: number
  /** 5xx answers seen by the writers (retried; 503 while a database restarts is legitimate). */
  serverErrors: Record<string, number>
  restartMs: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const between = ([a, b]: [number, number]) => a + Math.random() * (b - a)

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo
      s.close(() => resolve(port))
    })
  })
}

interface Acked {
  userMessageId: string
  body: string
  /** REST answers carry the stored reply's id. */
  replyId?: string
}

export async function runCrashSafety(opts: CrashOptions): Promise<CrashResult> {
  const log = opts.log ?? (() => {})
  const kills = opts.kills ?? 8
  const upMs = opts.upMs ?? [400, 1500]
  const dir = mkdtempSync(join(tmpdir(), 'aurion-crash-'))
  const store: BenchStore =
    opts.dialect === 'sqlite'
      ? { dialect: 'sqlite', file: join(dir, 'aurion.db') }
      : {
          dialect: 'postgres',
          url: opts.pgUrl ?? 'postgres://postgres@127.0.0.1:5432/test',
          schema: `bench_crash_${randomBytes(5).toString('hex')}`,
        }
  const servers: StandbyServer[] = []
  try {
    const tenant = await seedStore(store)
    const port = await freePort()
    const env = aurionEnv(dir, {
      PORT: String(port),
      DATABASE_URL: storeDatabaseUrl(store),
      LOG_LEVEL: 'warn',
    })
    const base = `http://127.0.0.1:${port}`
    const auth = { tenant_id: tenant.tenantId, public_key: tenant.publicKey }

    const acked = new Map<string, Acked>()
    const serverErrors: Record<string, number> = {}
    let retries = 0
    let stopping = false
    let fatal: Error | undefined

    const restWriter = async (w: number) => {
      for (let n = 0; !stopping && !fatal; n++) {
        const id = `crash-r${w}-${n}`
        const body = `Message ${n} of writer r${w}: how do I reset my password?`
        for (;;) {
          try {
            const res = await fetch(`${base}/api/v1/widget/messages`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', origin: BENCH_ORIGIN },
              body: JSON.stringify({
                ...auth,
                body,
                source_thread_id: `crash-thread-r${w}`,
                source_message_id: id,
              }),
              signal: AbortSignal.timeout(15_000),
            })
            const text = await res.text()
            if (res.status === 200) {
              const j = JSON.parse(text) as { user_message_id: string; ai_message_id: string }
              acked.set(id, { userMessageId: j.user_message_id, body, replyId: j.ai_message_id })
              break
            }
            if (res.status < 500) {
              fatal = new Error(`POST /widget/messages ${id}: ${res.status} ${text}`)
              return
            }
            serverErrors[res.status] = (serverErrors[res.status] ?? 0) + 1
          } catch (err) {
            // Connection refused (server down) or cut (killed mid-request): retry the same id.
            if (process.env.BENCH_DEBUG) log(`  r${w} ${id}: ${(err as Error).message}`)
          }
          retries++
          await sleep(between([10, 40]))
        }
      }
    }

    const wsUrl = `ws://127.0.0.1:${port}/api/v1/widget/ws?tenant_id=${auth.tenant_id}&public_key=${auth.public_key}&source_thread_id=crash-thread-s`
    const wsWriter = async (w: number) => {
      let ws: WebSocket | undefined
      for (let n = 0; !stopping && !fatal; n++) {
        const id = `crash-s${w}-${n}`
        const body = `Message ${n} of writer s${w}: my VPN does not connect`
        for (;;) {
          try {
            ws ??= await openSocket(`${wsUrl}${w}`, { origin: BENCH_ORIGIN, timeoutMs: 5000 })
            const socket = ws
            const userMessageId = await new Promise<string>((resolve, reject) => {
              let ackId: string | undefined
              const done = (err?: Error) => {
                clearTimeout(timer)
                socket.off('message', onMessage)
                socket.off('close', onClose)
                if (err) reject(err)
                else resolve(ackId!)
              }
              const onClose = () =>
                ackId !== undefined ? done() : done(new Error('closed before ack'))
              const onMessage = (data: WebSocket.RawData) => {
                const f = JSON.parse(String(data)) as {
                  type: string
                  source_message_id?: string
                  user_message_id?: string
                  code?: string
                }
                if (f.type === 'ack' && f.source_message_id === id) {
                  ackId = f.user_message_id
                  acked.set(id, { userMessageId: ackId!, body })
                } else if (f.type === 'done' && ackId !== undefined) done()
                else if (f.type === 'error') done(new Error(`error frame ${f.code}`))
              }
              // A socket that stays open but answers nothing is as broken as a closed one.
              const timer = setTimeout(() => done(new Error('no answer within 15 s')), 15_000)
              socket.on('message', onMessage)
              socket.once('close', onClose)
              socket.send(JSON.stringify({ body, source_message_id: id }))
            })
            if (userMessageId) break
          } catch (err) {
            if (process.env.BENCH_DEBUG) log(`  s${w} ${id}: ${(err as Error).message}`)
            ws?.terminate()
            ws = undefined
            if (acked.has(id)) break
          }
          retries++
          await sleep(between([10, 40]))
        }
      }
      ws?.close()
    }

    // Every incarnation loads its code before the run (three at a time), so a restart after a
    // kill takes what starting on loaded code takes (open the database, migrate, listen) and no
    // loading competes with the server under test for the CPU.
    const standbys: StandbyServer[] = []
    for (let i = 0; i <= kills; i += 3) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(3, kills + 1 - i) }, () => spawnStandby(env)),
      )
      servers.push(...batch)
      standbys.push(...batch)
    }
    let active = standbys.shift()!
    await active.go()
    const writers = [
      ...Array.from({ length: opts.restWriters ?? 6 }, (_, w) => restWriter(w)),
      ...Array.from({ length: opts.wsWriters ?? 4 }, (_, w) => wsWriter(w)),
    ]
    const restarts: number[] = []
    for (let k = 0; k < kills && !fatal; k++) {
      const standby = standbys.shift()!
      await sleep(between(upMs))
      if (active.crashed()) throw new Error(`the server crashed on its own:\n${active.output()}`)
      await active.kill()
      const t0 = performance.now()
      await standby.go()
      restarts.push(performance.now() - t0)
      log(`  kill ${k + 1}/${kills}: ${acked.size} acknowledged so far`)
      active = standby
    }
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
    await Promise.all(servers.map((s) => s.stop()))

    const check = await verify(store, tenant.tenantId, acked)
    return {
      dialect: opts.dialect,
      kills: restarts.length,
      acknowledged: acked.size,
      retries,
      serverErrors,
      restartMs: median(restarts),
      ...check,
    }
  } finally {
    await Promise.all(servers.map((s) => s.kill()))
    await dropStore(store).catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
}

interface Row {
  id: string
  source_message_id: string | null
  body: string
  reply_to_id: string | null
  sender_type: string
}

async function verify(
  store: BenchStore,
  tenantId: string,
  acked: Map<string, Acked>,
): Promise<Pick<CrashResult, 'stored' | 'lost' | 'duplicated' | 'lostReplies' | 'integrity'>> {
  let rows: Row[]
  let integrity: string
  if (store.dialect === 'sqlite') {
    const db = new SQLite(store.file)
    try {
      rows = db
        .prepare(
          'select id, source_message_id, body, reply_to_id, sender_type from messages where tenant_id = ?',
        )
        .all(tenantId) as Row[]
      const ic = (db.pragma('integrity_check') as { integrity_check: string }[]).map(
        (r) => r.integrity_check,
      )
      const fk = db.pragma('foreign_key_check') as unknown[]
      integrity =
        ic.join('; ') === 'ok' && fk.length === 0
          ? 'ok'
          : `integrity_check: ${ic.join('; ')}; ${fk.length} foreign key violations`
    } finally {
      db.close()
    }
  } else {
    const client = new pg.Client({ connectionString: storeDatabaseUrl(store) })
    await client.connect()
    try {
      rows = (
        await client.query<Row>(
          'select id, source_message_id, body, reply_to_id, sender_type from messages where tenant_id = $1',
          [tenantId],
        )
      ).rows
      integrity = await pgIntegrity(client, store.schema)
    } finally {
      await client.end()
    }
  }
  const visitor = rows.filter(
    (r) => r.sender_type === 'contact' && r.source_message_id?.startsWith('crash-'),
  )
  const bySource = new Map<string, Row[]>()
  for (const r of visitor)
    bySource.set(r.source_message_id!, [...(bySource.get(r.source_message_id!) ?? []), r])
  const byBody = new Map<string, number>()
  for (const r of visitor) byBody.set(r.body, (byBody.get(r.body) ?? 0) + 1)
  const repliesTo = new Map<string, Row[]>()
  for (const r of rows)
    if (r.sender_type === 'ai' && r.reply_to_id)
      repliesTo.set(r.reply_to_id, [...(repliesTo.get(r.reply_to_id) ?? []), r])
  const ids = new Set(rows.map((r) => r.id))

  let lost = 0
  let lostReplies = 0
  for (const [source, a] of acked) {
    const found = bySource.get(source) ?? []
    if (!found.some((r) => r.id === a.userMessageId && r.body === a.body)) lost++
    if (a.replyId !== undefined && !ids.has(a.replyId)) lostReplies++
  }
  let duplicated = 0
  for (const list of bySource.values()) if (list.length > 1) duplicated += list.length - 1
  for (const n of byBody.values()) if (n > 1) duplicated += n - 1
  for (const list of repliesTo.values()) if (list.length > 1) duplicated += list.length - 1
  return { stored: bySource.size, lost, duplicated, lostReplies, integrity }
}

/** amcheck (B-tree structure and every heap tuple indexed) on every index of the schema. */
async function pgIntegrity(client: pg.Client, schema: string): Promise<string> {
  await client.query(`create extension if not exists amcheck schema ${schema}`).catch(() => {})
  const ext = await client.query<{ nspname: string }>(
    "select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'amcheck'",
  )
  const where = ext.rows[0]?.nspname
  if (!where) return 'ok (amcheck unavailable: constraints only)'
  const indexes = await client.query<{ oid: string; name: string }>(
    `select c.oid::text as oid, c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid
     join pg_namespace n on n.oid = c.relnamespace join pg_am a on a.oid = c.relam
     where n.nspname = $1 and a.amname = 'btree'`,
    [schema],
  )
  const problems: string[] = []
  for (const ix of indexes.rows) {
    try {
      await client.query(`select "${where}".bt_index_check($1::oid::regclass, true)`, [ix.oid])
    } catch (err) {
      problems.push(`${ix.name}: ${(err as Error).message}`)
    }
  }
  return problems.length === 0 ? 'ok' : problems.join('; ')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dialect = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgres'
  const r = await runCrashSafety({
    dialect,
    kills: Number(process.argv[3] ?? 8),
    log: (l) => console.log(l),
  })
  console.log(r)
}
