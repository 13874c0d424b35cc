import * as oidc from 'openid-client'
import { Lru } from '../lru.ts'
import { BlockedTargetError, safeFetch } from '../net/safe-fetch.ts'

/** Discovery documents, JWKS and token answers are small: more than this is refused. */
const MAX_BODY_BYTES = 256 * 1024
const TIMEOUT_MS = 10_000
/** A discovered provider (and the keys it fetched) is reused this long. */
const CACHE_TTL_MS = 10 * 60 * 1000

export interface ProviderSettings {
  issuer: string
  clientId: string
  clientSecret: string | undefined
}

/**
 * `fetch` for openid-client that goes through the server's SSRF rule (net/safe-fetch.ts): the
 * issuer, its discovery document's endpoints and keys are all fetched with it, so a provider
 * cannot point the server at its own network unless `AURION_FETCH_ALLOW_PRIVATE` allows it.
 */
export function ssrfSafeFetch(allowPrivate: boolean): oidc.CustomFetch {
  return async (url, options) => {
    const body = options.body
    const res = await safeFetch(url, {
      method: options.method,
      headers: options.headers,
      body: body === undefined || body === null ? undefined : String(body),
      allowPrivate,
      timeoutMs: TIMEOUT_MS,
      maxBodyBytes: MAX_BODY_BYTES + 1,
    })
    if (res.truncated) throw new Error(`the answer of ${new URL(url).host} is too large`)
    const headers = new Headers()
    for (const [name, value] of Object.entries(res.headers)) {
      if (value === undefined) continue
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v)
    }
    const empty = res.status === 204 || res.status === 304 || options.method === 'HEAD'
    return new Response(empty ? null : new Uint8Array(res.body), { status: res.status, headers })
  }
}

const cache = new Lru<string, { config: oidc.Configuration; until: number }>(200)

/**
 * The provider's configuration from its discovery document (the issuer it states must be the
 * configured one), with the client's credentials: `client_secret_basic` unless the provider
 * supports only `client_secret_post`. Cached per `cacheKey` for ten minutes.
 */
export async function discoverProvider(
  settings: ProviderSettings,
  opts: { allowPrivate: boolean; cacheKey?: string },
): Promise<oidc.Configuration> {
  const key = opts.cacheKey && `${opts.cacheKey}|${settings.issuer}|${settings.clientId}`
  const hit = key === undefined ? undefined : cache.get(key)
  if (hit && hit.until > Date.now()) return hit.config
  const customFetch = ssrfSafeFetch(opts.allowPrivate)
  const server = new URL(settings.issuer)
  const config = await oidc.discovery(server, settings.clientId, undefined, undefined, {
    [oidc.customFetch]: customFetch,
    timeout: TIMEOUT_MS / 1000,
    // Plain http only where private targets are allowed (safeFetch refuses it otherwise).
    ...(opts.allowPrivate ? { execute: [oidc.allowInsecureRequests] } : {}),
  })
  const methods = config.serverMetadata().token_endpoint_auth_methods_supported
  const secret = settings.clientSecret
  const auth =
    secret === undefined
      ? oidc.None()
      : methods !== undefined &&
          !methods.includes('client_secret_basic') &&
          methods.includes('client_secret_post')
        ? oidc.ClientSecretPost(secret)
        : oidc.ClientSecretBasic(secret)
  const withAuth = new oidc.Configuration(
    config.serverMetadata(),
    settings.clientId,
    secret === undefined ? undefined : { client_secret: secret },
    auth,
  )
  withAuth[oidc.customFetch] = customFetch
  if (opts.allowPrivate) oidc.allowInsecureRequests(withAuth)
  if (key !== undefined) cache.set(key, { config: withAuth, until: Date.now() + CACHE_TTL_MS })
  return withAuth
}

/** A provider failure as one sentence for an admin (never the secret). */
export function describeProviderError(err: unknown): string {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e instanceof BlockedTargetError) return `the address is not allowed (${e.message})`
  }
  if (err instanceof oidc.ResponseBodyError) {
    return `the provider answered ${err.error}${err.error_description ? `: ${err.error_description}` : ''}`
  }
  if (err instanceof oidc.AuthorizationResponseError) {
    return `the provider refused: ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`
  }
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? err.cause.message : undefined
    // openid-client wraps network failures as "something went wrong": the cause says what.
    if (cause !== undefined && err.message === 'something went wrong') return cause
    return cause === undefined ? err.message : `${err.message} (${cause})`
  }
  return String(err)
}
