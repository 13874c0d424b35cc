import type { IncomingMessage } from 'node:http'
import type { Config } from '../config.ts'
import { trustProxyFn } from '../net/client-ip.ts'

/** Set on a request that reached a Help Center by its host (`{slug}.{domain}`): the slug. */
export const HOST_SLUG = Symbol('helpCenterHostSlug')
type Marked = IncomingMessage & { [HOST_SLUG]?: string }

/** One DNS label as a Help Center slug may be (see the contract's HELP_CENTER_SLUG_PATTERN). */
const LABEL = /^[a-z][a-z0-9-]{0,62}$/

/**
 * The host a request names: the last `X-Forwarded-Host` when the peer is a trusted proxy
 * (`AURION_TRUST_PROXY`), else `Host`; lower-cased, without the port.
 */
export function requestHost(req: IncomingMessage, config: Pick<Config, 'trustProxy'>): string {
  const trust = trustProxyFn(config.trustProxy)
  let raw = req.headers.host ?? ''
  const forwarded = req.headers['x-forwarded-host']
  if (forwarded !== undefined && trust?.(req.socket?.remoteAddress ?? '', 0)) {
    const list = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded).split(',')
    raw = list[list.length - 1]!.trim()
  }
  const host = raw.toLowerCase()
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1)
  const colon = host.indexOf(':')
  return colon === -1 ? host : host.slice(0, colon)
}

/**
 * Fastify's `rewriteUrl` with `AURION_HELP_CENTER_DOMAIN` set: a request to `{slug}.{domain}`
 * is served by that Help Center — `/articles/x` there is `/hc/{slug}/articles/x` — except its
 * style sheet under `/hc-assets/`. Nothing else of this server answers on those hosts. The
 * server's own public host is never taken for a Help Center.
 */
export function helpCenterRewrite(
  config: Pick<Config, 'helpCenterDomain' | 'publicUrl' | 'trustProxy'>,
): ((req: IncomingMessage) => string) | undefined {
  const domain = config.helpCenterDomain
  if (domain === undefined) return undefined
  const suffix = `.${domain}`
  const publicHost = new URL(config.publicUrl).hostname.toLowerCase()
  return (req) => {
    const url = req.url ?? '/'
    const host = requestHost(req, config)
    if (!host.endsWith(suffix) || host === publicHost) return url
    const slug = host.slice(0, -suffix.length)
    if (!LABEL.test(slug) || url.startsWith('/hc-assets/')) return url
    ;(req as Marked)[HOST_SLUG] = slug
    return `/hc/${slug}${url.startsWith('/') ? url : `/${url}`}`
  }
}

/** The slug when the request came in on its Help Center's own host. */
export function hostSlugOf(req: IncomingMessage): string | undefined {
  return (req as Marked)[HOST_SLUG]
}
