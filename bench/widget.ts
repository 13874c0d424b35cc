/**
 * The embeddable widget: gzip sizes of the loader, idle, chat and voice chunks (built by
 * packages/widget), and in headless Chromium, on a host page served from another origin than
 * the API:
 * - time from the snippet running to the launcher being on screen, against a stub snippet that
 *   makes the same round trips (script from the API origin, CORS-preflighted JSON config POST)
 *   and draws a plain button in a shadow root: the floor any such widget pays;
 * - main-thread blocking (TBT: long tasks' time over 50 ms) and total main-thread task time on
 *   the host page with the widget, against the same page without it, also at a 4× CPU slowdown
 *   (Lighthouse's mobile setting). Blocking is observed until the chat chunk has been
 *   downloaded (when the page is idle) and the page has been quiet for a while;
 * - then the visitor's first open: launcher pressed → panel in the DOM, the pointer arriving with
 *   the press (no hover before it, so the chat chunk's evaluation is part of it if the widget
 *   leaves it for the visitor's intent), and on other loads of the same page after resting on
 *   the launcher for HOVER_MS, about the time a visitor's pointer rests on a button before
 *   clicking it.
 *
 *   npx tsx bench/widget.ts   (BENCH_WIDGET_RUNS=page loads per variant and CPU rate, default 3)
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { buildEmbedSnippet } from '@aurion/contract'
import type { Browser } from 'playwright-core'
import { aurionEnv } from './http.ts'
import { launchChromium } from './lib/browser.ts'
import { type BenchChild, forkServer } from './lib/child.ts'
import { firstOpen, openGoal } from './lib/first-open.ts'
import { type BenchRow, formatTable, row } from './lib/report.ts'
import { seedStore } from './lib/seed.ts'
import { median } from './lib/stats.ts'

const SECTION = 'widget'
const ROOT = resolve(import.meta.dirname, '..')
const WIDGET_DIR = join(ROOT, 'packages/widget')
const DIST = join(WIDGET_DIR, 'dist')
const KB = 1024
/** How long the pointer rests on the launcher before pressing it, in the hover first-open runs. */
const HOVER_MS = 300

interface Manifest {
  loader: string
  idle?: string
  chat: string
  voice: string
}

/** Builds the widget when its dist is missing or (with the widget's build script) stale. */
export function ensureWidgetBuilt(): Manifest {
  const script = join(WIDGET_DIR, 'build.mjs')
  if (existsSync(script)) {
    execFileSync(process.execPath, [script, '--if-stale'], { cwd: WIDGET_DIR, stdio: 'inherit' })
  } else if (!existsSync(join(DIST, 'aurion.js'))) {
    execFileSync('npm', ['run', 'build', '--workspace=@aurion/widget'], {
      cwd: ROOT,
      stdio: 'inherit',
    })
  }
  const manifestFile = join(DIST, 'widget-manifest.json')
  if (existsSync(manifestFile)) return JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest
  const files = readdirSync(DIST)
  const find = (prefix: string) => {
    const f = files.find((n) => n.startsWith(`${prefix}-`) && n.endsWith('.js'))
    if (!f) throw new Error(`no ${prefix} chunk in ${DIST}`)
    return f
  }
  return { loader: 'aurion.js', chat: find('chat'), voice: find('voice') }
}

const gzipSize = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length

/** The minified livekit-client build, gzipped: what the voice chunk is made of. */
function livekitSize(): number {
  const require = (p: string) => join(ROOT, 'node_modules', p)
  const candidates = ['livekit-client/dist/livekit-client.umd.js']
  for (const c of candidates) if (existsSync(require(c))) return gzipSize(require(c))
  return Number.NaN
}

/** A customer's page: header, hero, articles, a grid of cards (same in every variant). */
export function hostPage(extraHead: string): string {
  const cards = Array.from(
    { length: 24 },
    (_, i) =>
      `<div class="card"><h3>Product ${i + 1}</h3><p>Durable, light and made to last. Free returns within 30 days.</p><button>Add to cart</button></div>`,
  ).join('')
  const paragraphs = Array.from(
    { length: 12 },
    () =>
      '<p>Our team ships every order within one business day. Questions about sizing, delivery or returns? Our help desk answers around the clock, in your language.</p>',
  ).join('')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Bench Shop</title>
<style>body{margin:0;font:16px/1.6 system-ui,sans-serif;color:#1e293b}header{padding:18px 40px;border-bottom:1px solid #e2e8f0;font-weight:700}.hero{padding:64px 40px;background:linear-gradient(180deg,#eef2ff,#fff)}.hero h1{margin:0;font-size:42px}main{padding:40px;max-width:1100px}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:16px}.card{padding:18px;border:1px solid #e2e8f0;border-radius:14px}</style>
${extraHead}</head><body><header>Bench Shop</header><section class="hero"><h1>Everything for your desk</h1><p>Chairs, lamps and cables, delivered tomorrow.</p></section><main>${paragraphs}<div class="grid">${cards}</div></main></body></html>`
}

/** Installed before any page script: collects long tasks and when the launcher is on screen. */
const OBSERVER = `(() => {
  const b = (window.__bench = { longTasks: [], launcherAt: null })
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) b.longTasks.push(e.duration) })
      .observe({ type: 'longtask', buffered: true })
  } catch {}
  const check = () => {
    const host = document.querySelector('aurion-widget, bench-stub')
    const button = host && host.shadowRoot && host.shadowRoot.querySelector('button')
    if (button) {
      const r = button.getBoundingClientRect()
      if (r.width > 0 && r.height > 0 && getComputedStyle(button).visibility !== 'hidden') {
        b.launcherAt = performance.now()
        return
      }
    }
    requestAnimationFrame(check)
  }
  requestAnimationFrame(check)
})()`

interface PageRun {
  /** Snippet start → launcher on screen (ms), when there is a launcher. */
  launcher: number | undefined
  /** Total blocking time: Σ (long task − 50 ms). */
  tbt: number
  longTasks: number
  /** Main-thread task time (ms) from CDP Performance metrics. */
  taskMs: number
  /** Launcher pressed → panel in the DOM (ms), when asked for. */
  firstOpen: number | undefined
}

async function loadPage(
  browser: Browser,
  url: string,
  opts: { cpuRate: number; expectLauncher: boolean; chatChunk?: string; hoverMs?: number },
): Promise<PageRun> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  try {
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text())
    })
    const cdp = await context.newCDPSession(page)
    await cdp.send('Performance.enable')
    if (opts.cpuRate > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: opts.cpuRate })
    await page.addInitScript(OBSERVER)
    await page.goto(url, { waitUntil: 'load' })
    const quietMs = 3000
    const deadline = Date.now() + 20_000
    for (;;) {
      const state = await page.evaluate(
        (chat) => ({
          launcherAt: (window as unknown as { __bench: { launcherAt: number | null } }).__bench
            .launcherAt,
          chatLoaded:
            chat === '' ||
            performance.getEntriesByType('resource').some((e) => e.name.endsWith(`/${chat}`)),
          resources: performance
            .getEntriesByType('resource')
            .map((e) => e.name.replace(/^.*\//, ''))
            .join(', '),
          sinceLoad:
            performance.now() -
            (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming)
              .loadEventEnd,
        }),
        opts.chatChunk ?? '',
      )
      const launcherDone = !opts.expectLauncher || state.launcherAt !== null
      if (launcherDone && state.chatLoaded && state.sinceLoad >= quietMs) break
      if (Date.now() > deadline)
        throw new Error(
          `${url}: launcher ${state.launcherAt === null ? 'never shown' : 'shown'}, chat chunk ${state.chatLoaded ? 'loaded' : 'not loaded'} after 20 s (loaded: ${state.resources}). ${errors.join(' | ')}`,
        )
      await new Promise((r) => setTimeout(r, 100))
    }
    // Compiling the downloaded chat chunk (or evaluating it, where it loads when idle) follows
    // the download: give that its own quiet second.
    await new Promise((r) => setTimeout(r, 1000))
    const b = await page.evaluate(() => {
      const bench = (
        window as unknown as { __bench: { longTasks: number[]; launcherAt: number | null } }
      ).__bench
      const mark = performance.getEntriesByName('aurion-snippet')[0]
      return {
        longTasks: bench.longTasks,
        launcher: bench.launcherAt !== null && mark ? bench.launcherAt - mark.startTime : undefined,
      }
    })
    const { metrics } = (await cdp.send('Performance.getMetrics')) as {
      metrics: { name: string; value: number }[]
    }
    const taskSec = metrics.find((m) => m.name === 'TaskDuration')?.value ?? Number.NaN
    const open = opts.hoverMs === undefined ? undefined : await firstOpen(page, opts.hoverMs)
    if (errors.length > 0 && opts.expectLauncher)
      throw new Error(`${url}: page errors: ${errors.join(' | ')}`)
    return {
      launcher: b.launcher,
      tbt: b.longTasks.reduce((a, d) => a + Math.max(0, d - 50), 0),
      longTasks: b.longTasks.length,
      taskMs: taskSec * 1000,
      firstOpen: open,
    }
  } finally {
    await context.close()
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)),
  )
}

export async function run(opts: { runs?: number } = {}): Promise<BenchRow[]> {
  const runs = opts.runs ?? 3
  const manifest = ensureWidgetBuilt()
  const sizes = {
    loader: gzipSize(join(DIST, manifest.loader)),
    idle: manifest.idle ? gzipSize(join(DIST, manifest.idle)) : Number.NaN,
    chat: gzipSize(join(DIST, manifest.chat)),
    voice: gzipSize(join(DIST, manifest.voice)),
  }

  const dir = mkdtempSync(join(tmpdir(), 'aurion-bench-widget-'))
  const pages = new Map<string, string>()
  const site = createServer((req, res) => {
    const html = pages.get(req.url ?? '')
    if (html === undefined) return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html)
  })
  // The stub "API": another origin, like the real one, answering the same config JSON.
  let stubConfig = '{}'
  const stubScript = `(function(){var s=window.AurionSettings;fetch(s.apiBaseUrl+'/config',{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify({tenant_id:s.appId,public_key:s.publicKey}),credentials:'omit'}).then(function(r){return r.json()}).then(function(c){var el=document.createElement('bench-stub');var root=el.attachShadow({mode:'open'});root.innerHTML='<style>button{position:fixed;bottom:20px;right:20px;height:56px;padding:0 22px;border:0;border-radius:28px;background:#2563eb;color:#fff;font:600 15px system-ui}</style><button type="button"></button>';root.querySelector('button').textContent=c.launcher_label;document.documentElement.appendChild(el)})})()`
  const stubApi = createServer((req, res) => {
    const cors = {
      'access-control-allow-origin': req.headers.origin ?? '*',
      'access-control-allow-headers': 'Content-Type',
      'access-control-allow-methods': 'POST, OPTIONS',
      vary: 'Origin',
    }
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end()
    if (req.url === '/stub.js')
      return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(stubScript)
    req.resume()
    req.on('end', () =>
      res
        .writeHead(200, {
          ...cors,
          'content-type': 'application/json',
          'cache-control': 'no-store',
        })
        .end(stubConfig),
    )
  })
  let aurion: BenchChild | undefined
  let browser: Browser | undefined
  try {
    const sitePort = await listen(site)
    const stubPort = await listen(stubApi)
    const siteOrigin = `http://127.0.0.1:${sitePort}`
    const tenant = await seedStore(
      { dialect: 'sqlite', file: join(dir, 'aurion.db') },
      { origins: [siteOrigin] },
    )
    aurion = await forkServer('aurion', aurionEnv(dir))
    const api = `http://localhost:${aurion.port}`
    const configRes = await fetch(`${api}/api/v1/voice-widget/embed/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: siteOrigin },
      body: JSON.stringify({ tenant_id: tenant.tenantId, public_key: tenant.publicKey }),
    })
    stubConfig = await configRes.text()
    // The first loader request after a start pays for reading and compressing the bundle; the
    // page loads below measure the steady state.
    const loaderUrl = `${api}/api/v1/voice-widget/embed/${manifest.loader}`
    const fetchLoader = async () => {
      const t0 = performance.now()
      const res = await fetch(loaderUrl, { headers: { 'accept-encoding': 'gzip, br' } })
      await res.arrayBuffer()
      if (res.status !== 200) throw new Error(`${loaderUrl} answered ${res.status}`)
      return performance.now() - t0
    }
    const coldLoader = await fetchLoader()
    const warmLoader = median([await fetchLoader(), await fetchLoader(), await fetchLoader()])
    const mark = `<script>performance.mark('aurion-snippet')</script>`
    const creds = { tenantId: tenant.tenantId, publicKey: tenant.publicKey }
    pages.set('/page', hostPage(''))
    pages.set('/widget', hostPage(mark + buildEmbedSnippet({ ...creds, apiBaseUrl: api })))
    const stubApiUrl = `http://localhost:${stubPort}`
    pages.set(
      '/stub',
      hostPage(
        mark +
          buildEmbedSnippet({ ...creds, apiBaseUrl: stubApiUrl }).replace(
            `${stubApiUrl}/api/v1/voice-widget/embed/aurion.js`,
            `${stubApiUrl}/stub.js`,
          ),
      ),
    )

    browser = await launchChromium()
    const results: Record<string, PageRun[]> = {}
    for (const cpuRate of [1, 4]) {
      for (let i = 0; i < runs; i++) {
        // Alternate the order so no variant always runs first.
        const order = ['page', 'stub', 'widget', 'hover']
        if (i % 2 === 1) order.reverse()
        for (const v of order) {
          const widget = { chatChunk: manifest.chat, hoverMs: v === 'hover' ? HOVER_MS : 0 }
          const r = await loadPage(browser, `${siteOrigin}/${v === 'hover' ? 'widget' : v}`, {
            cpuRate,
            expectLauncher: v !== 'page',
            ...(v === 'widget' || v === 'hover' ? widget : {}),
          })
          const key = `${v}@${cpuRate}`
          results[key] ??= []
          results[key].push(r)
        }
      }
    }
    const med = (key: string, f: (r: PageRun) => number | undefined) =>
      median(results[key]!.map((r) => f(r) ?? Number.NaN))

    const rows: BenchRow[] = [
      row({
        section: SECTION,
        name: `loader gzip (${manifest.loader})`,
        value: sizes.loader / KB,
        unit: 'KB',
        baseline: 4,
        baselineLabel: 'budget',
        goal: '≤ 4 KB',
        pass: sizes.loader <= 4 * KB,
      }),
      row({
        section: SECTION,
        name: `idle chunk gzip (${manifest.idle ?? 'none'})`,
        value: sizes.idle / KB,
        unit: 'KB',
        baseline: 2,
        baselineLabel: 'budget',
        goal: '≤ 2 KB',
        pass: !(sizes.idle > 2 * KB),
      }),
      row({
        section: SECTION,
        name: `chat chunk gzip (${manifest.chat})`,
        value: sizes.chat / KB,
        unit: 'KB',
        baseline: 25,
        baselineLabel: 'budget',
        goal: '≤ 25 KB',
        pass: sizes.chat <= 25 * KB,
      }),
      row({
        section: SECTION,
        name: `voice chunk gzip (${manifest.voice})`,
        value: sizes.voice / KB,
        unit: 'KB',
        baseline: livekitSize() / KB,
        baselineLabel: 'livekit-client minified build',
      }),
    ]
    rows.push(
      row({
        section: SECTION,
        name: 'first loader request after server start',
        value: coldLoader,
        unit: 'ms',
        baseline: warmLoader,
        baselineLabel: 'next requests',
      }),
    )
    for (const cpuRate of [1, 4]) {
      const cpu = cpuRate === 1 ? '' : `, ${cpuRate}× CPU slowdown`
      const tbtWidget = med(`widget@${cpuRate}`, (r) => r.tbt)
      const tbtPage = med(`page@${cpuRate}`, (r) => r.tbt)
      rows.push(
        row({
          section: SECTION,
          name: `snippet → launcher visible, median${cpu}`,
          value: med(`widget@${cpuRate}`, (r) => r.launcher),
          unit: 'ms',
          baseline: med(`stub@${cpuRate}`, (r) => r.launcher),
          baselineLabel: 'stub snippet, same round trips',
        }),
        row({
          section: SECTION,
          name: `host page TBT with widget, median${cpu}`,
          value: tbtWidget,
          unit: 'ms',
          baseline: tbtPage,
          baselineLabel: 'same page without widget',
        }),
        row({
          section: SECTION,
          name: `blocking caused by the widget (TBT difference)${cpu}`,
          value: Math.max(0, tbtWidget - tbtPage),
          unit: 'ms',
          goal: '≤ 30 ms',
          pass: tbtWidget - tbtPage <= 30,
        }),
        row({
          section: SECTION,
          name: `host page main-thread task time, median${cpu}`,
          value: med(`widget@${cpuRate}`, (r) => r.taskMs),
          unit: 'ms',
          baseline: med(`page@${cpuRate}`, (r) => r.taskMs),
          baselineLabel: 'same page without widget',
        }),
        row({
          section: SECTION,
          name: `first open: launcher pressed → panel in the DOM, no hover first, median${cpu}`,
          value: med(`widget@${cpuRate}`, (r) => r.firstOpen),
          unit: 'ms',
          ...openGoal(
            cpuRate,
            med(`widget@${cpuRate}`, (r) => r.firstOpen),
          ),
        }),
        row({
          section: SECTION,
          name: `first open after a ${HOVER_MS} ms hover, median${cpu}`,
          value: med(`hover@${cpuRate}`, (r) => r.firstOpen),
          unit: 'ms',
          ...openGoal(
            cpuRate,
            med(`hover@${cpuRate}`, (r) => r.firstOpen),
          ),
        }),
      )
    }
    return rows
  } finally {
    await browser?.close()
    await aurion?.stop()
    site.close()
    stubApi.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await run({ runs: Number(process.env.BENCH_WIDGET_RUNS ?? 3) })
  console.log(formatTable(rows))
}
