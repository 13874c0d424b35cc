/**
 * SQLite time per statement of the widget message path: starts the server in this process on a
 * fresh bench database, wraps better-sqlite3's statement methods with a timer, sends `messages`
 * widget messages (10 at a time, after 300 unmeasured) and prints, per SQL text, the time per
 * message, how many times a message ran it and the time per run, heaviest first.
 *
 *   npx tsx bench/statement-times.ts [messages=8000]
 *
 * The client runs in the same process: its CPU is in the printed total, not in the statements.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { loadConfig } from '../packages/server/src/config.ts'
import { startServer } from '../packages/server/src/main.ts'
import { aurionEnv, messageRequests } from './http.ts'
import { seedStore } from './lib/seed.ts'

const times = new Map<string, { runs: number; ns: bigint }>()

/** Times every run/all/get/iterate of every statement (patched on the first statement made). */
function timeStatements(): void {
  const prepare = SQLite.prototype.prepare
  let patched = false
  SQLite.prototype.prepare = function (this: SQLite.Database, source: string) {
    const statement = prepare.call(this, source)
    if (!patched) {
      patched = true
      const proto = Object.getPrototypeOf(statement) as Record<string, unknown>
      for (const method of ['run', 'all', 'get', 'iterate']) {
        const original = proto[method] as (...args: unknown[]) => unknown
        proto[method] = function (this: SQLite.Statement, ...args: unknown[]) {
          const t0 = process.hrtime.bigint()
          try {
            return original.apply(this, args)
          } finally {
            const key = this.source.replace(/\s+/g, ' ')
            const s = times.get(key) ?? { runs: 0, ns: 0n }
            s.runs++
            s.ns += process.hrtime.bigint() - t0
            times.set(key, s)
          }
        }
      }
    }
    return statement
  } as typeof prepare
}

const messages = Number(process.argv[2] ?? 8000)
timeStatements()
const dir = mkdtempSync(join(tmpdir(), 'aurion-statements-'))
const tenant = await seedStore({ dialect: 'sqlite', file: join(dir, 'aurion.db') })
const server = await startServer(loadConfig(aurionEnv(dir)), { print: () => {} })
try {
  const load = messageRequests({ tenant_id: tenant.tenantId, public_key: tenant.publicKey })
  const url = `http://127.0.0.1:${server.port}${load.request.path}`
  const send = async () => {
    const { body } = load.request.setupRequest({}) as { body: string }
    const res = await fetch(url, { method: 'POST', headers: load.request.headers, body })
    await res.arrayBuffer()
    if (res.status !== 200) throw new Error(`POST /widget/messages: ${res.status}`)
  }
  for (let i = 0; i < 300; i++) await send()
  times.clear()
  load.prefix = 'run'
  const cpu = process.cpuUsage()
  const t0 = performance.now()
  let sent = 0
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (sent < messages) {
        sent++
        await send()
      }
    }),
  )
  const ms = performance.now() - t0
  const used = process.cpuUsage(cpu)
  console.log(
    `${messages} messages in ${ms.toFixed(0)} ms (${((messages / ms) * 1000).toFixed(0)}/s); process CPU, client included: ${((used.user + used.system) / messages).toFixed(0)} µs per message\n`,
  )
  let total = 0n
  let runs = 0
  for (const [source, s] of [...times].sort((a, b) => Number(b[1].ns - a[1].ns))) {
    total += s.ns
    runs += s.runs
    const perMessage = (Number(s.ns) / messages / 1000).toFixed(1).padStart(7)
    const each = (Number(s.ns) / s.runs / 1000).toFixed(1).padStart(6)
    console.log(
      `${perMessage} µs/message  ${(s.runs / messages).toFixed(2).padStart(5)}×  ${each} µs each  ${source.slice(0, 120)}`,
    )
  }
  console.log(
    `\n${(Number(total) / messages / 1000).toFixed(0)} µs of statements per message, ${(runs / messages).toFixed(1)} statements`,
  )
} finally {
  await server.stop()
  rmSync(dir, { recursive: true, force: true })
}
