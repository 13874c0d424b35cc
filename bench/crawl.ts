/**
 * Crawling (issue 23, item 5): a 200-page help-centre site on loopback (lib/loopback-site.ts)
 * imported as a `website` source end to end through the API (POST /api/v1/knowledge/sources,
 * then GET until the sync is done) by an Aurion server in its own process, with the politeness
 * pause off (`AURION_CRAWL_DELAY_MS=0`, the setting documented in docs/configuration.md;
 * `AURION_FETCH_ALLOW_PRIVATE=true` lets it reach loopback). Reported: pages/s beside a plain
 * `fetch` of the same pages at the crawler's concurrency in the same run, the server's peak RSS
 * during the crawl (VmHWM, reset before the crawl) beside its RSS before it, and a re-sync with
 * nothing changed (every page answered 304 to its ETag).
 *
 *   npm run bench -- --only=crawl
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CRAWL_CONCURRENCY } from '../packages/server/src/knowledge/sources/crawler.ts'
import { aurionEnv } from './http.ts'
import { type BenchChild, forkServer } from './lib/child.ts'
import { startLoopbackSite } from './lib/loopback-site.ts'
import { type BenchRow, row } from './lib/report.ts'
import { seedStore } from './lib/seed.ts'

const SECTION = 'crawl'
const MB = 1024 * 1024

interface SourceState {
  status: string
  pages_found: number
  pages_imported: number
  pages_unchanged: number
  errors: { url: string; error: string }[]
}

/** A /proc/<pid>/status figure in bytes (VmRSS, VmHWM), or NaN off Linux. */
function procKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    )
    return m ? Number(m[1]) * 1024 : Number.NaN
  } catch {
    return Number.NaN
  }
}

/** Resets the process's RSS high-water mark to its current RSS (Linux ≥ 4.0); false if it cannot. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

/** Plain fetch of every URL, `concurrency` at a time, bodies read: the floor of any crawler. */
async function plainFetch(urls: string[], concurrency: number): Promise<number> {
  const queue = [...urls]
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let u = queue.shift(); u !== undefined; u = queue.shift()) {
        const res = await fetch(u)
        await res.text()
        if (res.status !== 200) throw new Error(`${u}: HTTP ${res.status}`)
      }
    }),
  )
  return (performance.now() - t0) / 1000
}

export async function run(opts: { pages?: number } = {}): Promise<BenchRow[]> {
  const count = opts.pages ?? 200
  const dir = mkdtempSync(join(tmpdir(), 'aurion-bench-crawl-'))
  const site = await startLoopbackSite(count)
  let server: BenchChild | undefined
  try {
    const tenant = await seedStore({ dialect: 'sqlite', file: join(dir, 'aurion.db') })
    server = await forkServer(
      'aurion',
      aurionEnv(dir, { AURION_CRAWL_DELAY_MS: '0', AURION_FETCH_ALLOW_PRIVATE: 'true' }),
    )
    const api = `http://127.0.0.1:${server.port}/api/v1/knowledge/sources`
    const headers = { 'x-api-key': tenant.apiKey, 'content-type': 'application/json' }
    const waitDone = async (id: string): Promise<SourceState> => {
      const deadline = Date.now() + 300_000
      for (;;) {
        const res = await fetch(`${api}/${id}`, { headers })
        const s = (await res.json()) as SourceState
        if (s.status === 'done' || s.status === 'failed') return s
        if (Date.now() > deadline) throw new Error(`sync of ${id} not done after 300 s`)
        await new Promise((r) => setTimeout(r, 25))
      }
    }

    // Warm-up: both paths once on a few pages (TypeScript loaded, connections, JIT).
    await plainFetch(site.pages.slice(0, 10), CRAWL_CONCURRENCY)
    const baselineSec = await plainFetch(site.pages, CRAWL_CONCURRENCY)

    const rssBefore = procKb(server.pid, 'VmRSS')
    const peakReset = resetPeak(server.pid)
    const t0 = performance.now()
    const created = await fetch(api, {
      method: 'POST',
      headers,
      body: JSON.stringify({ type: 'website', url: `${site.url}/`, max_pages: count }),
    })
    if (created.status !== 202)
      throw new Error(`POST /knowledge/sources: ${created.status} ${await created.text()}`)
    const { id } = (await created.json()) as { id: string }
    const first = await waitDone(id)
    const crawlSec = (performance.now() - t0) / 1000
    const peak = procKb(server.pid, 'VmHWM')
    if (first.status !== 'done' || first.pages_imported !== count)
      throw new Error(
        `crawl: ${first.status}, ${first.pages_imported} of ${count} pages imported (${first.pages_found} found; ${first.errors
          .slice(0, 3)
          .map((e) => `${e.url}: ${e.error}`)
          .join('; ')})`,
      )

    const served304 = site.served.get(304) ?? 0
    const t1 = performance.now()
    const resync = await fetch(`${api}/${id}/sync`, {
      method: 'POST',
      headers: { 'x-api-key': tenant.apiKey },
    })
    if (resync.status !== 202) throw new Error(`POST /sync: ${resync.status}`)
    const second = await waitDone(id)
    const resyncSec = (performance.now() - t1) / 1000
    const notModified = (site.served.get(304) ?? 0) - served304
    if (second.status !== 'done') throw new Error(`re-sync: ${second.status}`)

    const pagesPerSec = count / crawlSec
    console.log(
      `\n  crawl: ${count} pages in ${crawlSec.toFixed(2)} s; plain fetch ${baselineSec.toFixed(2)} s; re-sync ${resyncSec.toFixed(2)} s (${second.pages_unchanged} unchanged, ${notModified} answered 304)`,
    )
    return [
      row({
        section: SECTION,
        name: `${count}-page website imported through the API (delay off, ${CRAWL_CONCURRENCY} at a time)`,
        value: pagesPerSec,
        unit: 'pages/s',
        baseline: count / baselineSec,
        baselineLabel: `plain fetch, ${CRAWL_CONCURRENCY} at a time`,
      }),
      row({
        section: SECTION,
        name: `server peak RSS during the crawl${peakReset ? '' : ' (high-water since start)'}`,
        value: peak / MB,
        unit: 'MB',
        baseline: rssBefore / MB,
        baselineLabel: 'RSS before the crawl',
      }),
      row({
        section: SECTION,
        name: `re-sync, nothing changed (${second.pages_unchanged} unchanged, ${notModified} × 304)`,
        value: count / resyncSec,
        unit: 'pages/s',
        baseline: pagesPerSec,
        baselineLabel: 'first import',
        goal: `all ${count} unchanged`,
        pass: second.pages_unchanged === count && second.pages_imported === 0,
      }),
    ]
  } finally {
    await server?.stop()
    await site.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
