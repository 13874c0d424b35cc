import type { SsoSettingsUpdate } from '@aurion/contract'
import { expect } from 'vitest'
import type { Dialect } from '../src/db/schema.ts'
import { createMemoryRateLimiter } from '../src/limits/memory-rate-limiter.ts'
import { startTestServer, type TestServer } from '../test-support/index.ts'
import { provisionTenant, type TestTenant } from '../test-support/tenant.ts'
import { CookieJar, signInAtIdp, startTestIdp, type TestIdp } from './oidc-provider.ts'

export const SSO_CALLBACK = '/api/v1/auth/sso/callback'

export interface SsoWorld {
  server: TestServer
  idp: TestIdp
  tenant: TestTenant
  /** The tenant's owner (Ada, ada@acme.test), signed in with a password: a bearer token. */
  ownerToken: string
  close(): Promise<void>
}

/**
 * This server listening on loopback (AURION_FETCH_ALLOW_PRIVATE=true, as the provider is on
 * loopback too), a real OpenID provider whose client redirects to it, and a tenant with an owner.
 */
export async function startSsoWorld(dialect: Dialect): Promise<SsoWorld> {
  const server = await startTestServer({
    dialect,
    storage: 'memory',
    env: { AURION_FETCH_ALLOW_PRIVATE: 'true' },
    deps: { limiter: createMemoryRateLimiter() },
  })
  const idp = await startTestIdp({ redirectUri: `${server.url}${SSO_CALLBACK}` })
  const tenant = await provisionTenant(server.db, { name: 'Acme', consoleUser: true })
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: 'ada@acme.test', password: tenant.consoleUser!.password },
  })
  expect(res.statusCode, res.body).toBe(200)
  return {
    server,
    idp,
    tenant,
    ownerToken: res.json().token as string,
    async close() {
      await idp.close()
      await server.close()
    },
  }
}

/** The settings the tests start from: on, acme.test, `it-admins` → admin, `founders` → owner. */
export function ssoSettings(w: SsoWorld, over: Partial<SsoSettingsUpdate> = {}): SsoSettingsUpdate {
  return {
    enabled: true,
    issuer: w.idp.issuer,
    client_id: w.idp.clientId,
    client_secret: w.idp.clientSecret,
    allowed_domains: ['acme.test'],
    role_claim: 'groups',
    role_mappings: [
      { value: 'it-admins', role: 'admin' },
      { value: 'founders', role: 'owner' },
    ],
    default_role: 'agent',
    ...over,
  }
}

export async function putSso(w: SsoWorld, body: unknown, token = w.ownerToken) {
  return w.server.app.inject({
    method: 'PUT',
    url: '/api/v1/auth/sso',
    headers: { authorization: `Bearer ${token}` },
    payload: body as Record<string, unknown>,
  })
}

export async function configureSso(w: SsoWorld, over: Partial<SsoSettingsUpdate> = {}) {
  const res = await putSso(w, ssoSettings(w, over))
  expect(res.statusCode, res.body).toBe(200)
}

/** A sign-in through the provider up to the callback URL it sends the browser to (not yet requested). */
export async function startAndAuthorize(
  w: SsoWorld,
  login: string,
  opts: { jar?: CookieJar; query?: string; tamper?: (authUrl: URL) => void } = {},
) {
  const jar = opts.jar ?? new CookieJar()
  const start = await jar.fetch(
    `${w.server.url}/api/v1/auth/sso/start?${opts.query ?? `tenant=${w.tenant.tenantId}`}`,
  )
  expect(start.status, await start.clone().text()).toBe(302)
  const authUrl = new URL(start.headers.get('location')!)
  opts.tamper?.(authUrl)
  const callbackUrl = await signInAtIdp(jar, authUrl.href, login)
  return { jar, authUrl, callbackUrl }
}

/** The full round trip; returns the callback's answer and the browser. */
export async function signInWithSso(w: SsoWorld, login: string, opts: { jar?: CookieJar } = {}) {
  const { jar, callbackUrl } = await startAndAuthorize(w, login, opts)
  expect(callbackUrl.startsWith(`${w.server.url}${SSO_CALLBACK}?`), callbackUrl).toBe(true)
  const res = await jar.fetch(callbackUrl)
  return { res, jar, callbackUrl }
}

/** The tenant's audit entries of one action, newest first. */
export async function auditEntries(w: SsoWorld, action: string) {
  const res = await w.server.app.inject({
    url: `/api/v1/audit-log?action=${encodeURIComponent(action)}`,
    headers: { 'x-api-key': w.tenant.apiKey },
  })
  expect(res.statusCode, res.body).toBe(200)
  return res.json().entries as Array<{
    action: string
    actor: { type: string; id: string | null }
    target: string | null
    details: Record<string, unknown>
  }>
}
