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

/** First-party Help Center: `https://<domain>` or `https://<sub>.<domain>`, default port only. */
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

/** Exact match (scheme, host and port) against the tenant's allowlist, or a Help Center origin. */
export function isOriginAllowed(
  origin: string | undefined,
  config: Pick<WidgetConfig, 'allowed_origins'>,
  helpCenterDomain: string | undefined,
): boolean {
  if (origin === undefined) return false
  return config.allowed_origins.includes(origin) || isHelpCenterOrigin(origin, helpCenterDomain)
}
