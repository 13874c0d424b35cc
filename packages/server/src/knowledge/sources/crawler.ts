import { setTimeout as sleep } from 'node:timers/promises'
import type { KnowledgeSourceType } from '@aurion/contract'
import { parseDocument } from '../import/document-parsers.ts'
import { type ExtractedDocument, extractHtmlPage } from '../import/html-content.ts'
import { fetchPage, loadSitePolicy, type SitePolicy, sameSite } from './site-fetch.ts'
import { parseSitemap } from './sitemap.ts'

/** Pages fetched at once by one crawl. */
export const CRAWL_CONCURRENCY = 3
const MAX_HTML_BYTES = 5 * 1024 * 1024
const MAX_PDF_BYTES = 20 * 1024 * 1024
const MAX_SITEMAPS = 20
/** A robots.txt Crawl-delay is honoured up to this (a larger one would stall the crawl). */
const MAX_CRAWL_DELAY_MS = 10_000

/** Links to files that are never articles are not fetched at all. */
const NOT_CONTENT =
  /\.(?:png|jpe?g|gif|webp|svg|ico|bmp|tiff?|css|js|mjs|json|xml|rss|atom|zip|gz|tgz|rar|7z|tar|exe|dmg|msi|apk|mp3|mp4|m4a|wav|ogg|webm|mov|avi|woff2?|ttf|otf|eot|csv|xlsx?|pptx?)$/i

/** What the crawl found at one URL. */
export type CrawledPage =
  | {
      kind: 'content'
      /** The page's URL after redirects: the citation. */
      url: string
      doc: ExtractedDocument
      etag: string | null
      lastModified: string | null
    }
  | { kind: 'unchanged'; url: string; etag: string | null; lastModified: string | null }
  | { kind: 'gone'; url: string; status: number }
  | { kind: 'error'; url: string; error: string }

export interface CrawlOptions {
  type: KnowledgeSourceType
  url: string
  maxPages: number
  allowPrivate: boolean
  /** Pause after each request of a worker (the site's Crawl-delay when longer). */
  delayMs: number
  signal: AbortSignal
  /** Validators kept from the last sync for a URL (conditional requests). */
  validators(url: string): Promise<{ etag: string | null; lastModified: string | null } | undefined>
  /** Pages the last sync imported: crawled again even when an unchanged page (304) hides its links. */
  known?: readonly string[]
  /** Called for every URL fetched, in the order they finish. */
  onPage(page: CrawledPage): Promise<void>
  /** The number of pages found so far (progress). */
  onFound(found: number): Promise<void>
}

/**
 * Crawls one site politely: robots.txt obeyed (a maintained parser), same site only, a few
 * requests at a time with a pause, at most `maxPages` pages, conditional requests with the last
 * sync's ETag/Last-Modified. A `website` follows links from its start page; a `sitemap` reads
 * the pages the sitemap (or sitemap index) lists. Throws when the site cannot be crawled at all
 * (robots.txt unreadable, sitemap missing).
 */
export async function crawlSite(o: CrawlOptions): Promise<void> {
  const policy = await loadSitePolicy(o.url, o.allowPrivate, o.signal)
  const delayMs = Math.max(
    o.delayMs,
    Math.min(MAX_CRAWL_DELAY_MS, (policy.crawlDelaySec ?? 0) * 1000),
  )
  const queue: string[] = []
  const seen = new Set<string>()
  let found = 0
  const add = (raw: string): void => {
    if (found >= o.maxPages) return
    let u: URL
    try {
      u = new URL(raw)
    } catch {
      return
    }
    u.hash = ''
    const href = u.href
    if (seen.has(href)) return
    seen.add(href)
    if (!sameSite(u, policy.origin) || NOT_CONTENT.test(u.pathname) || !policy.allowed(href)) return
    found++
    queue.push(href)
  }

  if (o.type === 'sitemap') {
    for (const url of await readSitemaps(o.url, policy, o.signal)) add(url)
  } else add(o.url)
  for (const url of o.known ?? []) add(url)
  await o.onFound(found)

  let active = 0
  let wakeUp: (() => void) | undefined
  const changed = () => {
    wakeUp?.()
    wakeUp = undefined
  }
  const worker = async (): Promise<void> => {
    for (;;) {
      if (o.signal.aborted) return
      const next = queue.shift()
      if (next === undefined) {
        if (active === 0) return changed()
        await new Promise<void>((resolve) => {
          const prev = wakeUp
          wakeUp = () => {
            prev?.()
            resolve()
          }
        })
        continue
      }
      active++
      try {
        const before = found
        const page = await crawlOne(next, policy, o, (links) => {
          for (const l of links) add(l)
        })
        if (page) await o.onPage(page)
        if (found !== before) await o.onFound(found)
      } finally {
        active--
        changed()
      }
      if (delayMs > 0 && queue.length > 0)
        await sleep(delayMs, undefined, { signal: o.signal }).catch(() => {})
    }
  }
  await Promise.all(Array.from({ length: CRAWL_CONCURRENCY }, worker))
  if (o.signal.aborted)
    throw o.signal.reason instanceof Error ? o.signal.reason : new Error('Stopped')
}

async function crawlOne(
  url: string,
  policy: SitePolicy,
  o: CrawlOptions,
  addLinks: (links: string[]) => void,
): Promise<CrawledPage | undefined> {
  const known = await o.validators(url)
  const headers: Record<string, string> = {}
  if (known?.etag) headers['if-none-match'] = known.etag
  if (known?.lastModified) headers['if-modified-since'] = known.lastModified
  const res = await fetchPage(url, policy, { headers, maxBytes: MAX_PDF_BYTES, signal: o.signal })
  if (!res.ok) return { kind: 'error', url: res.url, error: res.error }
  const { status, headers: h, body } = res.response
  const etag = typeof h.etag === 'string' ? h.etag : null
  const lastModified = typeof h['last-modified'] === 'string' ? h['last-modified'] : null
  if (status === 304)
    return {
      kind: 'unchanged',
      url: res.url,
      etag: known?.etag ?? etag,
      lastModified: known?.lastModified ?? lastModified,
    }
  if (status === 404 || status === 410) return { kind: 'gone', url: res.url, status }
  if (status < 200 || status >= 300) return { kind: 'error', url: res.url, error: `HTTP ${status}` }
  const type = String(h['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase()
  try {
    if (type === 'text/html' || type === 'application/xhtml+xml' || type === '') {
      if (body.length > MAX_HTML_BYTES)
        return { kind: 'error', url: res.url, error: 'Page larger than 5 MB' }
      const page = extractHtmlPage(body.toString('utf8'), res.url)
      if (o.type === 'website' && !page.nofollow) addLinks(page.links)
      if (page.noindex) return undefined
      if (page.body.trim() === '')
        return { kind: 'error', url: res.url, error: 'No readable content' }
      return {
        kind: 'content',
        url: res.url,
        doc: { title: page.title || res.url, body: page.body },
        etag,
        lastModified,
      }
    }
    if (type === 'application/pdf') {
      const name = decodeURIComponent(new URL(res.url).pathname.split('/').pop() ?? '') || res.url
      const doc = await parseDocument(body, 'pdf', name)
      return { kind: 'content', url: res.url, doc, etag, lastModified }
    }
    if (type === 'text/plain' || type === 'text/markdown') {
      const name = decodeURIComponent(new URL(res.url).pathname.split('/').pop() ?? '') || res.url
      const doc = await parseDocument(body, type === 'text/plain' ? 'text' : 'markdown', name)
      return { kind: 'content', url: res.url, doc, etag, lastModified }
    }
  } catch (err) {
    return { kind: 'error', url: res.url, error: (err as Error).message || 'Unreadable page' }
  }
  return undefined // images, archives and other files are not articles
}

/** The page URLs of a sitemap, following a sitemap index one level down. */
async function readSitemaps(
  url: string,
  policy: SitePolicy,
  signal: AbortSignal,
): Promise<string[]> {
  const first = await fetchSitemap(url, policy, signal)
  if (first.kind === 'urlset') return first.urls
  const out: string[] = []
  for (const child of first.urls.slice(0, MAX_SITEMAPS)) {
    let u: URL
    try {
      u = new URL(child)
    } catch {
      continue
    }
    if (!sameSite(u, policy.origin)) continue
    const sub = await fetchSitemap(u.href, policy, signal).catch(() => undefined)
    if (sub?.kind === 'urlset') out.push(...sub.urls)
  }
  return out
}

async function fetchSitemap(url: string, policy: SitePolicy, signal: AbortSignal) {
  const res = await fetchPage(url, policy, { maxBytes: MAX_HTML_BYTES * 2, signal })
  if (!res.ok) throw new Error(`Sitemap could not be read: ${res.error}`)
  if (res.response.status !== 200)
    throw new Error(`Sitemap could not be read: HTTP ${res.response.status}`)
  return parseSitemap(res.response.body.toString('utf8'))
}
