/**
 * Host-page cost against a peer (issue 23, item 6): Lighthouse 12.2.3 (mobile, simulated
 * throttling: its default) on the same host page served from loopback (a) without a widget,
 * (b) with Aurion's embed snippet pointing at an Aurion server started here with a bench tenant,
 * (c) with ElevenLabs' published embed bundle (`@elevenlabs/convai-widget-embed`, served from
 * loopback) and its documented `<elevenlabs-convai agent-id>` element with a dummy agent id.
 * Three rounds, the order rotated each round. Chromium cannot leave loopback
 * (lib/debug-chromium.ts): ElevenLabs' calls to its API fail, as they would for an unknown agent.
 *
 *   npm run bench -- --only=lighthouse   (BENCH_LIGHTHOUSE_ROUNDS=n for more rounds than 3)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { buildEmbedSnippet } from '@aurion/contract'
import lighthouse from 'lighthouse'
import { aurionEnv } from './http.ts'
import { CHROMIUM_PATH } from './lib/browser.ts'
import { type BenchChild, forkServer } from './lib/child.ts'
import { type DebugChromium, launchDebugChromium } from './lib/debug-chromium.ts'
import { adds, type LighthouseFigures, medians, roundOrder } from './lib/lighthouse-stats.ts'
import { type BenchRow, row } from './lib/report.ts'
import { seedStore } from './lib/seed.ts'
import { median } from './lib/stats.ts'
import { ensureWidgetBuilt, hostPage } from './widget.ts'

const SECTION = 'lighthouse'
const ROOT = resolve(import.meta.dirname, '..')
const ELEVENLABS = join(ROOT, 'node_modules/@elevenlabs/convai-widget-embed/dist/index.js')
const VARIANTS = ['none', 'aurion', 'elevenlabs'] as const
type Variant = (typeof VARIANTS)[number]
const LABEL: Record<Variant, string> = {
  none: 'no widget',
  aurion: 'Aurion',
  elevenlabs: 'ElevenLabs',
}

interface RunResult extends LighthouseFigures {
  /** Requests to anywhere but loopback (refused by the browser). */
  offLoopback: string[]
  /** Every request of the page load with its status (0: failed). */
  requests: { url: string; statusCode: number }[]
  /** Main-thread time (ms) by script (`bootup-time`: evaluation, parsing and compiling). */
  scripts: Record<string, number>
}

async function audit(port: number, url: string): Promise<RunResult> {
  const result = await lighthouse(url, {
    port,
    output: 'json',
    logLevel: 'error',
    onlyCategories: ['performance'],
  })
  if (!result) throw new Error(`Lighthouse returned nothing for ${url}`)
  const { lhr } = result
  if (lhr.runtimeError) throw new Error(`Lighthouse on ${url}: ${lhr.runtimeError.message}`)
  const num = (id: string) => {
    const v = lhr.audits[id]?.numericValue
    if (v === undefined) throw new Error(`Lighthouse on ${url}: no ${id}`)
    return v
  }
  const requests =
    (
      lhr.audits['network-requests']?.details as
        | { items?: { url: string; statusCode: number }[] }
        | undefined
    )?.items ?? []
  return {
    requests: requests.map((r) => ({ url: r.url, statusCode: r.statusCode })),
    scripts: Object.fromEntries(
      (
        (lhr.audits['bootup-time']?.details as { items?: { url: string; total: number }[] })
          ?.items ?? []
      ).map((i) => [i.url.replace(/^\w+:\/\/[^/]+/, ''), i.total]),
    ),
    tbt: num('total-blocking-time'),
    mainThread: num('mainthread-work-breakdown'),
    bytes: num('total-byte-weight'),
    score: (lhr.categories.performance?.score ?? Number.NaN) * 100,
    offLoopback: requests
      .map((r) => r.url)
      .filter((u) => /^(https?|wss?):/.test(u) && !/^\w+:\/\/(127\.0\.0\.1|localhost)[:/]/.test(u)),
  }
}

export async function run(opts: { rounds?: number } = {}): Promise<BenchRow[]> {
  if (!existsSync(CHROMIUM_PATH)) {
    console.log(
      `\n! no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH): lighthouse section skipped`,
    )
    return []
  }
  const rounds = Number(process.env.BENCH_LIGHTHOUSE_ROUNDS) || (opts.rounds ?? 3)
  const manifest = ensureWidgetBuilt()
  const dir = mkdtempSync(join(tmpdir(), 'aurion-bench-lh-'))
  const pages = new Map<string, string>()
  const elevenlabs = readFileSync(ELEVENLABS)
  const site = createServer((req, res) => {
    if (req.url === '/elevenlabs/convai-widget-embed.js')
      return void res
        .writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'max-age=3600' })
        .end(elevenlabs)
    const html = pages.get(req.url ?? '')
    if (html === undefined) return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html)
  })
  let aurion: BenchChild | undefined
  let chromium: DebugChromium | undefined
  try {
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r))
    const siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`
    const tenant = await seedStore(
      { dialect: 'sqlite', file: join(dir, 'aurion.db') },
      { origins: [siteOrigin] },
    )
    aurion = await forkServer('aurion', aurionEnv(dir))
    const api = `http://localhost:${aurion.port}`
    // The first loader request after a start compresses the bundle: not part of any page load.
    const warm = await fetch(`${api}/api/v1/voice-widget/embed/${manifest.loader}`)
    await warm.arrayBuffer()
    pages.set('/none', hostPage(''))
    pages.set(
      '/aurion',
      hostPage(
        buildEmbedSnippet({
          tenantId: tenant.tenantId,
          publicKey: tenant.publicKey,
          apiBaseUrl: api,
        }),
      ),
    )
    // ElevenLabs' documented embed, its script from loopback instead of unpkg.
    pages.set(
      '/elevenlabs',
      hostPage(
        '<elevenlabs-convai agent-id="agent_bench_dummy_0000000000"></elevenlabs-convai><script src="/elevenlabs/convai-widget-embed.js" async type="text/javascript"></script>',
      ),
    )

    chromium = await launchDebugChromium(CHROMIUM_PATH)
    const results: Record<Variant, RunResult[]> = { none: [], aurion: [], elevenlabs: [] }
    for (let i = 0; i < rounds; i++)
      for (const v of roundOrder(VARIANTS, i))
        results[v].push(await audit(chromium.port, `${siteOrigin}/${v}`))

    // Aurion's figures count only if the widget really started: its config answered.
    for (const r of results.aurion)
      if (!r.requests.some((q) => q.url.endsWith('/embed/config') && q.statusCode === 200))
        throw new Error(
          `Aurion's config was not loaded: ${r.requests.map((q) => `${q.url} ${q.statusCode}`).join(', ')}`,
        )
    const med = Object.fromEntries(VARIANTS.map((v) => [v, medians(results[v])])) as Record<
      Variant,
      LighthouseFigures
    >
    const blocked = [...new Set(results.elevenlabs.flatMap((r) => r.offLoopback))]
    const leaks = [...new Set([...results.none, ...results.aurion].flatMap((r) => r.offLoopback))]
    console.log(
      `\n  Lighthouse ${rounds}× each (mobile, simulated throttling); no network beyond loopback here: ElevenLabs' requests to ${blocked.length > 0 ? blocked.map((u) => new URL(u).host).join(', ') : 'its API'} fail (dummy agent id), so its figures are those of the widget before any agent configuration arrives.`,
    )
    for (const v of VARIANTS)
      console.log(
        `  ${LABEL[v].padEnd(11)} TBT ${results[v].map((r) => r.tbt.toFixed(0)).join('/')} ms, main thread ${results[v].map((r) => r.mainThread.toFixed(0)).join('/')} ms, ${results[v].map((r) => (r.bytes / 1024).toFixed(0)).join('/')} KB, score ${results[v].map((r) => r.score.toFixed(0)).join('/')}`,
      )
    // Where the widgets' main-thread time goes (median per script over the rounds).
    for (const v of ['aurion', 'elevenlabs'] as const) {
      const names = [...new Set(results[v].flatMap((r) => Object.keys(r.scripts)))]
      const by = names
        .map((n) => [n, median(results[v].map((r) => r.scripts[n] ?? 0))] as const)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
      console.log(
        `  ${LABEL[v]} script time (bootup-time, median): ${by.map(([n, t]) => `${n} ${t.toFixed(0)} ms`).join(', ')}`,
      )
    }
    if (leaks.length > 0) console.log(`  ! off-loopback requests: ${leaks.join(', ')}`)

    const rows: BenchRow[] = []
    for (const v of ['aurion', 'elevenlabs'] as const) {
      const a = adds(med[v], med.none)
      const goals = v === 'aurion'
      const name = (f: string) => `${LABEL[v]} adds: ${f}, median of ${rounds}`
      rows.push(
        row({
          section: SECTION,
          name: name('total blocking time'),
          value: a.tbt,
          unit: 'ms',
          baseline: med.none.tbt,
          baselineLabel: 'page without a widget',
          ...(goals ? { goal: '≤ 10 ms', pass: a.tbt <= 10 } : {}),
        }),
        row({
          section: SECTION,
          name: name('main-thread time'),
          value: a.mainThread,
          unit: 'ms',
          baseline: med.none.mainThread,
          baselineLabel: 'page without a widget',
          ...(goals ? { goal: '≤ 100 ms', pass: a.mainThread <= 100 } : {}),
        }),
        row({
          section: SECTION,
          name: name('bytes transferred'),
          value: a.bytes / 1024,
          unit: 'KB',
          baseline: med.none.bytes / 1024,
          baselineLabel: 'page without a widget',
        }),
        row({
          section: SECTION,
          name: name('performance score'),
          value: a.score,
          unit: 'points',
          baseline: med.none.score,
          baselineLabel: 'page without a widget',
        }),
      )
    }
    return rows
  } finally {
    await chromium?.close()
    await aurion?.stop()
    site.closeAllConnections()
    await new Promise<void>((r) => site.close(() => r()))
    rmSync(dir, { recursive: true, force: true })
  }
}
