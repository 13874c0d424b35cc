import robotsParserModule from 'robots-parser'
import { type SafeFetchResponse, safeFetch } from '../../net/safe-fetch.ts'

interface Robots {
  isAllowed(url: string, ua?: string): boolean | undefined
  getCrawlDelay(ua?: string): number | undefined
  getSitemaps(): string[]
}
// The package is CommonJS (`module.exports = function`); its typings describe it as ESM.
const robotsParser = robotsParserModule as unknown as (url: string, text: string) => Robots

/** The crawler's name in User-Agent and the robots.txt group it obeys. */
export const CRAWLER_AGENT = 'AurionBot'
const USER_AGENT = `Mozilla/5.0 (compatible; ${CRAWLER_AGENT}/1.0; knowledge import)`
const MAX_REDIRECTS = 5
const PAGE_TIMEOUT_MS = 15_000

/** What a crawl may fetch: one site, robots.txt rules, private targets or not. */
export interface SitePolicy {
  /** `https://host:port` of the site: every hop must stay on it. */
  origin: string
  allowPrivate: boolean
  /** robots.txt says yes (always yes when the site has none). */
  allowed(url: string): boolean
  /** Seconds between requests the site asks for (robots.txt `Crawl-delay`), if any. */
  crawlDelaySec: number | undefined
  /** Sitemaps robots.txt lists. */
  sitemaps: string[]
}

/** A fetched page after redirects, or why it was not fetched. */
export type PageFetch =
  | { ok: true; url: string; response: SafeFetchResponse }
  | { ok: false; url: string; error: string; status?: number }

/** Same site: scheme, host and port (a redirect from http to https of the same host too). */
export function sameSite(url: URL, origin: string): boolean {
  const o = new URL(origin)
  if (url.hostname !== o.hostname) return false
  if (url.protocol === o.protocol) return url.port === o.port
  return url.protocol === 'https:' && o.protocol === 'http:' && url.port === ''
}

/**
 * Reads the site's robots.txt with a maintained parser (robots-parser). Missing (4xx): every
 * path allowed. Unreachable or a server error: nothing allowed (RFC 9309 §2.3.1.4) — the crawl
 * fails rather than guess.
 */
export async function loadSitePolicy(
  start: string,
  allowPrivate: boolean,
  signal?: AbortSignal,
): Promise<SitePolicy> {
  const origin = new URL(start).origin
  const robotsUrl = `${origin}/robots.txt`
  const res = await fetchFollowing(robotsUrl, {
    allowPrivate,
    maxBytes: 512 * 1024,
    // robots.txt may redirect anywhere on the same host (http → https).
    allow: (u) => sameSite(u, origin),
    signal,
  })
  let text = ''
  if (res.ok && res.response.status >= 200 && res.response.status < 300) {
    text = res.response.body.toString('utf8')
  } else if (!res.ok || res.response.status >= 500) {
    throw new Error(
      `robots.txt could not be read (${res.ok ? `HTTP ${res.response.status}` : res.error})`,
    )
  }
  const robots = robotsParser(robotsUrl, text)
  return {
    origin,
    allowPrivate,
    allowed: (url) => robots.isAllowed(url, CRAWLER_AGENT) !== false,
    crawlDelaySec: robots.getCrawlDelay(CRAWLER_AGENT),
    sitemaps: robots.getSitemaps(),
  }
}

/**
 * GETs a page of the site, following redirects itself: every hop must stay on the site and be
 * allowed by robots.txt, and goes through the SSRF-safe fetch (addresses checked as connected).
 */
export async function fetchPage(
  url: string,
  policy: SitePolicy,
  opts: { headers?: Record<string, string>; maxBytes: number; signal?: AbortSignal },
): Promise<PageFetch> {
  return fetchFollowing(url, {
    allowPrivate: policy.allowPrivate,
    headers: opts.headers,
    maxBytes: opts.maxBytes,
    allow: (u) => sameSite(u, policy.origin) && policy.allowed(u.href),
    signal: opts.signal,
  })
}

async function fetchFollowing(
  start: string,
  opts: {
    allowPrivate: boolean
    headers?: Record<string, string> | undefined
    maxBytes: number
    allow: (u: URL) => boolean
    signal?: AbortSignal | undefined
  },
): Promise<PageFetch> {
  let url = start
  for (let hop = 0; ; hop++) {
    if (opts.signal?.aborted) return { ok: false, url, error: 'Stopped' }
    let response: SafeFetchResponse
    try {
      response = await safeFetch(url, {
        allowPrivate: opts.allowPrivate,
        headers: {
          'user-agent': USER_AGENT,
          accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,application/pdf,*/*;q=0.5',
          ...opts.headers,
        },
        timeoutMs: PAGE_TIMEOUT_MS,
        maxBodyBytes: opts.maxBytes,
      })
    } catch (err) {
      return { ok: false, url, error: (err as Error).message || 'Request failed' }
    }
    const location = response.headers.location
    if (response.status >= 300 && response.status < 400 && response.status !== 304 && location) {
      if (hop >= MAX_REDIRECTS)
        return { ok: false, url, error: `More than ${MAX_REDIRECTS} redirects` }
      let next: URL
      try {
        next = new URL(location, url)
      } catch {
        return { ok: false, url, error: 'Redirect to an invalid URL' }
      }
      next.hash = ''
      if (!opts.allow(next))
        return {
          ok: false,
          url,
          error: `Redirect to ${next.href} not followed (another site or disallowed by robots.txt)`,
        }
      url = next.href
      continue
    }
    if (response.truncated)
      return { ok: false, url, error: `Larger than ${Math.round(opts.maxBytes / 1024 / 1024)} MB` }
    return { ok: true, url, response }
  }
}
