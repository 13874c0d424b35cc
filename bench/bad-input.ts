/**
 * Bad input: a generator driven by the server's own OpenAPI document (`GET /api/v1/openapi.json`)
 * and fast-check sends malformed requests to every documented endpoint plus the ops endpoints:
 * wrong types, missing and extra fields, huge and unicode strings, null bytes, prototype keys,
 * deep nesting, broken JSON and multipart, odd content types and headers, bad path and query
 * parameters, raw protocol garbage on a TCP socket, and WebSocket sessions with bad connect
 * parameters, bad and oversized frames. Most requests carry valid credentials of a "fuzz" tenant
 * so they get past authentication into the handlers; a "victim" tenant only ever receives
 * broken requests under its own credentials. Afterwards: zero 5xx, the server still up and
 * healthy, no "unhandled error" in its log, and the victim's stored data byte for byte unchanged.
 *
 *   npx tsx bench/bad-input.ts [requests] [wsSessions]    (BENCH_SEED=n to replay a run)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import fc from 'fast-check'
import { caseArbitrary } from './bad-input/cases.ts'
import { operationsOf } from './bad-input/document.ts'
import { api, prepare, snapshot } from './bad-input/setup.ts'
import { rawCases, send, sendRaw } from './bad-input/transports.ts'
import type { Finding, HttpCase, Schema } from './bad-input/types.ts'
import { runWsPlan, type WsPlan, wsArbitrary } from './bad-input/websocket.ts'
import { aurionEnv } from './http.ts'
import { type BenchChild, forkServer } from './lib/child.ts'
import { BENCH_ORIGIN, seedStore } from './lib/seed.ts'

export interface BadInputResult {
  seed: number
  operations: number
  /** HTTP requests sent (documented routes, ops routes, multipart, raw TCP). */
  requests: number
  /** Requests refused with a 4xx: malformed ones, at least (some generated ones are valid). */
  refused: number
  byStatus: Record<string, number>
  /** Requests that got no answer (connection reset or closed), by operation and input. */
  resets: Record<string, number>
  /** Answers with status ≥ 500 (and raw connections the server answered with 5xx). */
  serverErrors: number
  /** Victim requests the server accepted (2xx): malformed input it did not refuse. */
  victimAccepted: number
  wsSessions: number
  wsFrames: number
  /** `internal_error` frames or 1011 closes. */
  wsServerErrors: number
  wsCloseCodes: Record<string, number>
  /** Still up and /healthz answering 200 at the end. */
  serverAlive: boolean
  /** Rows of the victim tenant that differ after the run. */
  changed: string[]
  /** `unhandled error` entries in the server log. */
  loggedErrors: string[]
  /** Clients' WebSocket protocol violations the server logged at error level. */
  loggedClientErrors: number
  findings: Finding[]
}

// ---------------------------------------------------------------------------------------------

export interface BadInputOptions {
  requests?: number
  wsSessions?: number
  concurrency?: number
  seed?: number
  log?: (line: string) => void
}

export async function runBadInput(opts: BadInputOptions = {}): Promise<BadInputResult> {
  const total = opts.requests ?? 12_500
  const wsSessions = opts.wsSessions ?? 300
  const concurrency = opts.concurrency ?? 16
  const seed = opts.seed ?? Number(process.env.BENCH_SEED ?? 20_260_601)
  const log = opts.log ?? (() => {})
  const dir = mkdtempSync(join(tmpdir(), 'aurion-bad-input-'))
  const dbFile = join(dir, 'aurion.db')
  let server: BenchChild | undefined
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  try {
    const store = { dialect: 'sqlite' as const, file: dbFile }
    const fuzzTenant = await seedStore(store, {
      consoleUser: { email: 'fuzz-admin@fuzz.example', password: 'fuzz-password-123' },
    })
    const victimTenant = await seedStore(store, {
      consoleUser: { email: 'victim-admin@victim.example', password: 'victim-password-123' },
    })
    // Limits raised (not off): requests reach the handlers instead of stopping at a 429.
    server = await forkServer(
      'aurion',
      aurionEnv(dir, {
        LOG_LEVEL: 'error',
        AURION_RATE_LIMIT_MULTIPLIER: '10000',
        // Tokens are minted locally: no LiveKit server is needed to exercise the token routes.
        LIVEKIT_URL: 'wss://livekit.bench.invalid',
        LIVEKIT_API_KEY: 'APIbenchkey',
        LIVEKIT_API_SECRET: 'bench-livekit-secret-0123456789abcdef0123',
      }),
      {
        captureOutput: true,
      },
    )
    const port = server.port
    const base = `http://127.0.0.1:${port}`
    const world = await prepare(base, fuzzTenant, victimTenant)
    const before = snapshot(dbFile, victimTenant.tenantId)

    const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as Schema
    const ops = operationsOf(doc)
    const raw = rawCases(world.fuzz)
    const httpCount = total - raw.length * 3
    const cases = fc.sample(caseArbitrary(ops, world), { numRuns: httpCount, seed })
    log(
      `  ${ops.length} operations, ${cases.length} generated requests + ${raw.length * 3} raw, seed ${seed}`,
    )

    const byStatus: Record<string, number> = {}
    const findings: Finding[] = []
    const resets: Record<string, number> = {}
    let serverErrors = 0
    let victimAccepted = 0
    const restore = () =>
      api(base, 'PUT', '/api/v1/voice-widget/config', {
        headers: { 'x-api-key': world.fuzz.apiKey },
        body: {
          enabled: true,
          display_title: 'fuzz support',
          launcher_label: 'Chat',
          allowed_origins: [BENCH_ORIGIN],
        },
      })
    const tally = (k: string) => {
      byStatus[k] = (byStatus[k] ?? 0) + 1
    }
    const describe = (c: HttpCase) => {
      const body =
        c.body === undefined
          ? ''
          : Buffer.isBuffer(c.body)
            ? `<${c.body.length} bytes>`
            : c.body.length > 300
              ? `${c.body.slice(0, 300)}… (${c.body.length} chars)`
              : c.body
      return `${c.method} ${c.path.slice(0, 300)} ${JSON.stringify(c.headers).slice(0, 400)} ${body}`
    }
    let next = 0
    let done = 0
    const worker = async () => {
      for (let i = next++; i < cases.length; i = next++) {
        const c = cases[i]!
        try {
          // A kept-alive connection the server closed after the previous request (e.g. a 413)
          // fails at once: such a failure says nothing about this request, so retry it once on
          // a fresh connection.
          const r = await send(port, agent, c).catch((err: NodeJS.ErrnoException) =>
            err.code === 'ECONNRESET' || err.code === 'EPIPE'
              ? send(port, false, c)
              : Promise.reject(err),
          )
          tally(String(r.status))
          if (r.status >= 500) {
            serverErrors++
            if (findings.length < 50)
              findings.push({
                op: c.op,
                what: c.what,
                status: r.status,
                request: describe(c),
                response: r.body,
              })
          } else if (c.victim && r.status < 300) {
            victimAccepted++
            if (findings.length < 50)
              findings.push({
                op: c.op,
                what: `accepted: ${c.what}`,
                status: r.status,
                request: describe(c),
                response: r.body,
              })
          }
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
          // Node refusing to send a request is the client's business; a reset is the server's.
          if (
            code === 'ERR_UNESCAPED_CHARACTERS' ||
            code === 'ERR_INVALID_CHAR' ||
            code === 'ERR_INVALID_HTTP_TOKEN'
          )
            tally('not sent')
          else {
            tally(`error ${code}`)
            const k = `${code} on ${c.op} (${c.what})`
            resets[k] = (resets[k] ?? 0) + 1
            // The server may close a connection after refusing a body (413); anything else counts.
            if (!server!.alive())
              throw new Error(
                `the server died on: ${describe(c)}\n${server!.output().slice(-3000)}`,
              )
          }
        }
        // Fuzzed config updates may disable the fuzz tenant's widget: switch it back on.
        if (++done % 100 === 0) await restore()
        if (done % 2000 === 0) log(`  ${done} requests…`)
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))

    for (let round = 0; round < 3; round++)
      for (const r of raw) {
        const status = await sendRaw(port, r.data)
        tally(`raw ${status}`)
        if (typeof status === 'number' && status >= 500) {
          serverErrors++
          findings.push({ op: 'raw TCP', what: r.what, status, request: r.what, response: '' })
        }
      }

    await restore()
    const wsStats = {
      frames: 0,
      serverErrors: 0,
      closeCodes: {} as Record<string, number>,
      findings,
    }
    // Whatever the seed, a few sessions break the protocol for sure: a frame over the 64 KB
    // limit (1009), a binary frame, a frame that is not JSON.
    const good = `tenant_id=${world.fuzz.tenantId}&public_key=${world.fuzz.publicKey}`
    const fixed: WsPlan[] = [
      {
        data: JSON.stringify({ body: 'y'.repeat(70_000) }),
        binary: false,
        what: 'oversized frame',
      },
      { data: Buffer.from([0, 1, 2, 255]), binary: true, what: 'binary frame' },
      { data: '{"body":', binary: false, what: 'truncated JSON' },
    ].map((frame) => ({ query: good, origin: BENCH_ORIGIN, frames: [frame] }))
    const plans = [
      ...fixed,
      ...fc.sample(wsArbitrary(world), {
        numRuns: Math.max(0, wsSessions - fixed.length),
        seed: seed + 1,
      }),
    ]
    let nextPlan = 0
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = nextPlan++; i < plans.length; i = nextPlan++)
          await runWsPlan(port, plans[i]!, wsStats)
      }),
    )

    const health = await fetch(`${base}/healthz`).then(
      (r) => r.status,
      () => 0,
    )
    const serverAlive = server.alive() && health === 200
    await server.stop()
    const after = snapshot(dbFile, victimTenant.tenantId)
    const changed: string[] = []
    for (const [k, v] of before)
      if (after.get(k) !== v)
        changed.push(
          `${k} changed: ${v.slice(0, 200)} → ${after.get(k)?.slice(0, 200) ?? '(gone)'}`,
        )
    for (const k of after.keys())
      if (!before.has(k)) changed.push(`${k} added: ${after.get(k)!.slice(0, 200)}`)
    const errorLines = server
      .output()
      .split('\n')
      .filter((l) => /unhandled error|"level":50|"level":60/.test(l))
    // ws refusing a client's frame (too big, bad opcode…) is the client's error: counted apart
    // from the server's own errors (it must not be logged at error level either).
    const clientProtocol = (l: string) => /"code":"WS_ERR_/.test(l)
    const loggedErrors = errorLines
      .filter((l) => !clientProtocol(l))
      .slice(0, 20)
      .map((l) => l.slice(0, 3000))
    const loggedClientErrors = errorLines.filter(clientProtocol).length
    const refused = Object.entries(byStatus)
      .filter(([k]) => /^(raw )?4\d\d$/.test(k))
      .reduce((a, [, n]) => a + n, 0)
    return {
      seed,
      refused,
      operations: ops.length,
      requests: cases.length + raw.length * 3,
      byStatus,
      resets,
      serverErrors,
      victimAccepted,
      wsSessions: plans.length,
      wsFrames: wsStats.frames,
      wsServerErrors: wsStats.serverErrors,
      wsCloseCodes: wsStats.closeCodes,
      serverAlive,
      changed,
      loggedErrors,
      loggedClientErrors,
      findings,
    }
  } finally {
    agent.destroy()
    await server?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** One line per figure, for the reliability report. */
export function describeBadInput(r: BadInputResult): string {
  const statuses = Object.entries(r.byStatus)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ')
  return [
    `bad input: ${r.requests} HTTP requests over ${r.operations} operations (seed ${r.seed}): ${r.refused} refused with a 4xx, ${r.serverErrors} 5xx, ${r.victimAccepted} malformed victim requests accepted`,
    `  statuses: ${statuses}`,
    `  no answer (connection closed by the server): ${
      Object.entries(r.resets)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([k, n]) => `${n}× ${k}`)
        .join('; ') || 'none'
    }`,
    `  WebSocket: ${r.wsSessions} sessions, ${r.wsFrames} frames, ${r.wsServerErrors} server errors; closes ${JSON.stringify(r.wsCloseCodes)}`,
    `  server ${r.serverAlive ? 'up and healthy' : 'DOWN'}; victim data ${r.changed.length === 0 ? 'unchanged' : `CHANGED (${r.changed.length} rows)`}; ${r.loggedErrors.length} unhandled errors logged (+${r.loggedClientErrors} client WebSocket protocol errors logged at error level)`,
    ...r.changed.slice(0, 10).map((c) => `  changed: ${c}`),
    ...r.findings
      .slice(0, 20)
      .map(
        (f) =>
          `  finding: [${f.status}] ${f.op} (${f.what}): ${f.request.slice(0, 400)} → ${f.response.slice(0, 200)}`,
      ),
    ...r.loggedErrors.slice(0, 5).map((l) => `  logged: ${l.slice(0, 1500)}`),
  ].join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await runBadInput({
    requests: Number(process.argv[2] ?? 12_500),
    wsSessions: Number(process.argv[3] ?? 300),
    log: (l) => console.log(l),
  })
  console.log(describeBadInput(r))
  process.exitCode =
    r.serverErrors + r.wsServerErrors + r.changed.length + r.loggedErrors.length > 0 ||
    !r.serverAlive
      ? 1
      : 0
}
