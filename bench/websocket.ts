/**
 * WebSocket figures, each against a bare `ws` server doing the same in the same run:
 * - 10,000 idle widget sockets (authorized, from 200 loopback addresses): server memory per
 *   connection (RSS and JS heap, after a full GC), Aurion vs the bare server;
 * - 500 of them then chat as visitors do: send a message, read the streamed reply, think a few
 *   seconds, send again. Time from send to the first `chunk` frame (built-in agent, SQLite file,
 *   every message stored before its ack) vs the bare server's immediate answer.
 *
 *   npx tsx bench/websocket.ts   (BENCH_SOCKETS, BENCH_VISITORS, BENCH_DURATION to change the load)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type WebSocket from 'ws'
import { aurionEnv } from './http.ts'
import { type BenchChild, forkServer } from './lib/child.ts'
import { type BenchRow, formatTable, row } from './lib/report.ts'
import { BENCH_ORIGIN, seedStore } from './lib/seed.ts'
import { closeAll, openMany, sourceAddress } from './lib/sockets.ts'
import { percentile, sorted } from './lib/stats.ts'

const SECTION = 'websocket'
const QUESTIONS = [
  'I forgot my password',
  'How do I connect to the VPN from home?',
  'My printer is offline',
  'How do I set up the authenticator app?',
]

export interface WebSocketOptions {
  sockets?: number
  visitors?: number
  /** How long the visitors chat, in seconds. */
  durationSec?: number
  /** A visitor's pause between a reply and its next message, in ms (uniform). */
  thinkMs?: [number, number]
}

interface Measured {
  rss: number
  heap: number
  firstChunk: number[]
  failures: number
  /** Server event-loop delay while the visitors chatted (ms). */
  loop: { p99: number; max: number }
}

/** Idle sockets, then visitors chatting over some of them, against one server. */
async function measure(
  server: BenchChild,
  url: (i: number) => string,
  o: Required<WebSocketOptions>,
): Promise<Measured> {
  const before = await server.memory()
  // Every 40 sockets share an address (the server allows 100 per address).
  const sockets = await openMany(o.sockets, url, {
    origin: BENCH_ORIGIN,
    address: (i) => sourceAddress(Math.floor(i / 40)),
    concurrency: 50,
  })
  try {
    let closed = 0
    for (const ws of sockets) ws.once('close', () => closed++)
    // The server checks credentials right after the upgrade: give it time to settle (or refuse).
    await new Promise((r) => setTimeout(r, 2000))
    if (closed > 0) throw new Error(`${closed} of ${o.sockets} sockets were closed by the server`)
    const after = await server.memory()

    const firstChunk: number[] = []
    let failures = 0
    await server.loopDelay()
    const deadline = performance.now() + o.durationSec * 1000
    const think = () => o.thinkMs[0] + Math.random() * (o.thinkMs[1] - o.thinkMs[0])
    const visitor = async (ws: WebSocket, v: number) => {
      // Visitors arrive spread over one think time, not all in the same millisecond.
      await new Promise((r) => setTimeout(r, Math.random() * o.thinkMs[1]))
      for (let n = 0; performance.now() < deadline; n++) {
        const sent = performance.now()
        const ok = await new Promise<boolean>((resolve) => {
          let first = true
          const onMessage = (data: WebSocket.RawData) => {
            const f = JSON.parse(String(data)) as { type: string }
            if (f.type === 'chunk' && first) {
              first = false
              firstChunk.push(performance.now() - sent)
            } else if (f.type === 'done' || f.type === 'error') {
              ws.off('message', onMessage)
              resolve(f.type === 'done' && !first)
            }
          }
          ws.on('message', onMessage)
          ws.send(
            JSON.stringify({
              body: QUESTIONS[(v + n) % QUESTIONS.length],
              source_message_id: `v${v}-${n}`,
            }),
          )
        })
        if (!ok) failures++
        await new Promise((r) => setTimeout(r, think()))
      }
    }
    await Promise.all(sockets.slice(0, o.visitors).map(visitor))
    const loop = await server.loopDelay()
    return {
      loop,
      rss: (after.rss - before.rss) / o.sockets,
      heap: (after.heapUsed - before.heapUsed) / o.sockets,
      firstChunk: sorted(firstChunk),
      failures,
    }
  } finally {
    closeAll(sockets)
  }
}

export async function run(opts: WebSocketOptions = {}): Promise<BenchRow[]> {
  const o: Required<WebSocketOptions> = {
    sockets: opts.sockets ?? 10_000,
    visitors: opts.visitors ?? 500,
    durationSec: opts.durationSec ?? 20,
    thinkMs: opts.thinkMs ?? [5000, 15_000],
  }
  const dir = mkdtempSync(join(tmpdir(), 'aurion-bench-ws-'))
  let aurion: BenchChild | undefined
  let bare: BenchChild | undefined
  try {
    const tenant = await seedStore({ dialect: 'sqlite', file: join(dir, 'aurion.db') })
    bare = await forkServer('bare-ws')
    const bareUrl = `ws://127.0.0.1:${bare.port}/`
    const base = await measure(bare, () => bareUrl, o)
    await bare.stop()
    bare = undefined

    aurion = await forkServer('aurion', aurionEnv(dir))
    const aurionUrl = `ws://127.0.0.1:${aurion.port}/api/v1/widget/ws?tenant_id=${tenant.tenantId}&public_key=${tenant.publicKey}`
    const real = await measure(aurion, () => aurionUrl, o)
    if (real.failures > 0) throw new Error(`${real.failures} visitor messages failed`)

    const kb = 1024
    const bareLabel = 'bare ws server'
    const samples = `${real.firstChunk.length} msgs`
    return [
      row({
        section: SECTION,
        name: `memory per idle socket, RSS (${o.sockets} sockets)`,
        value: real.rss / kb,
        unit: 'KB',
        baseline: base.rss / kb,
        baselineLabel: bareLabel,
        goal: '≤ 1.5× bare',
        pass: real.rss <= 1.5 * base.rss,
      }),
      row({
        section: SECTION,
        name: 'memory per idle socket, JS heap',
        value: real.heap / kb,
        unit: 'KB',
        baseline: base.heap / kb,
        baselineLabel: bareLabel,
      }),
      row({
        section: SECTION,
        name: `send → first chunk p50 (${o.visitors} visitors, ${samples})`,
        value: percentile(real.firstChunk, 50),
        unit: 'ms',
        baseline: percentile(base.firstChunk, 50),
        baselineLabel: bareLabel,
      }),
      row({
        section: SECTION,
        name: 'send → first chunk p99',
        value: percentile(real.firstChunk, 99),
        unit: 'ms',
        baseline: percentile(base.firstChunk, 99),
        baselineLabel: bareLabel,
        goal: '≤ 20 ms',
        pass: percentile(real.firstChunk, 99) <= 20,
      }),
      row({
        section: SECTION,
        name: 'server event-loop delay while chatting, max',
        value: real.loop.max,
        unit: 'ms',
        baseline: base.loop.max,
        baselineLabel: bareLabel,
      }),
    ]
  } finally {
    await bare?.stop()
    await aurion?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = process.env
  const rows = await run({
    sockets: Number(env.BENCH_SOCKETS ?? 10_000),
    visitors: Number(env.BENCH_VISITORS ?? 500),
    durationSec: Number(env.BENCH_DURATION ?? 20),
  })
  console.log(formatTable(rows))
}
