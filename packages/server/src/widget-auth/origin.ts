import type { WidgetConfig } from '@aurion/contract'

/**
 * The request's `Origin` header as a normalized origin, or undefined when absent, `null`, or not
 * a plain http(s) origin. Browsers send origins already normalized; anything else is refused.
 */
export function requestOrigin(header: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(header) ? header[0] : header
  if (raw === undefined || raw === '' || raw === 'null') return undefined
  // A site's visitors all send the same few Origin headers: parse each once.
  const known = parsedOrigins.get(raw)
  if (known !== undefined) return known === false ? undefined : known
  const origin = parseOrigin(raw)
  if (parsedOrigins.size >= PARSED_ORIGINS_MAX) parsedOrigins.clear()
  parsedOrigins.set(raw, origin ?? false)
  return origin
}

/** Origin header → its normalized origin, or `false` when refused. Bounded: cleared when full. */
const parsedOrigins = new Map<string, string | false>()
const PARSED_ORIGINS_MAX = 4096

function parseOrigin(raw: string): string | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return undefined
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
  if (url.username !== '' || url.password !== '') return undefined
  const origin = url.origin.toLowerCase()
  // An Origin header is exactly scheme://host[:port]; a path or query means a forged header.
  if (!/^https?:\/\/[^/?#]+\/?$/i.test(raw)) return undefined
  return origin
}

/**
 * Under the Help Center domain: `https://<domain>` or `https://<sub>.<domain>`, default port only
 * (CORS preflights, which name no tenant; a real request is checked per tenant).
 */
export function isHelpCenterOrigin(origin: string, domain: string | undefined): boolean {
  if (domain === undefined) return false
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  if (url.protocol !== 'https:' || url.port !== '') return false
  const host = url.hostname
  return host === domain || host.endsWith(`.${domain}`)
}

/** Where a tenant's own Help Center is served, for {@link isOriginAllowed}. */
export interface TenantHelpCenter {
  /** The tenant's Help Center slug while it is enabled; null/undefined: none. */
  slug: string | null | undefined
  /** This server's public origin: `/hc/{slug}` pages are served there. */
  publicOrigin: string
}

/**
 * A tenant's first-party Help Center origins, only while its Help Center is enabled: its own
 * `https://{slug}.{domain}` (never another tenant's slug host), the bare `https://{domain}`, and
 * this server's public origin (its `/hc/{slug}` pages).
 */
export function isTenantHelpCenterOrigin(
  origin: string,
  domain: string | undefined,
  hc: TenantHelpCenter | undefined,
): boolean {
  if (!hc?.slug) return false
  if (origin === hc.publicOrigin) return true
  if (!isHelpCenterOrigin(origin, domain)) return false
  const host = new URL(origin).hostname
  return host === domain || host === `${hc.slug}.${domain}`
}

/**
 * Exact match (scheme, host and port) against the tenant's allowlist, or one of the tenant's own
 * Help Center origins.
 */
export function isOriginAllowed(
  origin: string | undefined,
  config: Pick<WidgetConfig, 'allowed_origins'>,
  helpCenterDomain: string | undefined,
  helpCenter?: TenantHelpCenter,
): boolean {
  if (origin === undefined) return false
  return (
    config.allowed_origins.includes(origin) ||
    isTenantHelpCenterOrigin(origin, helpCenterDomain, helpCenter)
  )
}

/**
 * The origin a browser's same-origin request comes from, for requests without an `Origin`
 * header. Browsers send none on same-origin GETs (the widget on `/demo` or a Help Center page of
 * this server reading history or an attachment); they send `Sec-Fetch-Site: same-origin`, which
 * page scripts cannot set, only when the page's origin is the request's, i.e. this server's
 * public origin. Anything else (`cross-site`, `same-site`, `none`, absent) stands for nothing:
 * the request has no origin and is refused where one is needed.
 */
export function sameOriginRequestOrigin(
  fetchSite: string | string[] | undefined,
  publicUrl: string,
): string | undefined {
  const site = Array.isArray(fetchSite) ? fetchSite[0] : fetchSite
  if (site !== 'same-origin') return undefined
  let origin = publicOrigins.get(publicUrl)
  if (origin === undefined) {
    origin = new URL(publicUrl).origin.toLowerCase()
    publicOrigins.set(publicUrl, origin)
  }
  return origin
}

const publicOrigins = new Map<string, string>()
