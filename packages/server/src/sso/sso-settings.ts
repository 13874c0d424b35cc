import type { SsoSettings, SsoSettingsUpdate } from '@aurion/contract'
import type { RouteContext } from '../app-deps.ts'
import { badRequest, conflict, invalidField } from '../errors.ts'
import { outboundUrlProblem } from '../net/safe-fetch.ts'
import { sealSecret } from '../webhooks/secret-box.ts'
import { describeProviderError, discoverProvider } from './oidc-provider-client.ts'
import { normalizeDomain } from './role-mapping.ts'
import {
  findEnabledSsoConfigsByDomain,
  findSsoConfig,
  type SsoConfig,
  saveSsoConfig,
} from './sso-config-repo.ts'

/** The key of sealed client secrets (separate from webhook and authenticator secrets). */
export const SSO_SECRET_INFO = 'aurion sso client secrets v1'
export const SSO_CALLBACK_PATH = '/api/v1/auth/sso/callback'

type Ctx = Pick<RouteContext, 'db' | 'config'>

/** The redirect URI to register with the provider: this server's callback. */
export function ssoRedirectUri(ctx: Pick<RouteContext, 'config'>): string {
  return `${ctx.config.publicUrl}${SSO_CALLBACK_PATH}`
}

/** The settings as the API shows them: the client secret only as `client_secret_set`. */
export function toSsoSettings(ctx: Ctx, config: SsoConfig | undefined): SsoSettings {
  return {
    enabled: config?.enabled ?? false,
    issuer: config?.issuer ?? null,
    client_id: config?.clientId ?? null,
    client_secret_set: (config?.clientSecretSealed ?? null) !== null,
    allowed_domains: config?.allowedDomains ?? [],
    role_claim: config?.roleClaim ?? 'groups',
    role_mappings: config?.roleMappings ?? [],
    default_role: config === undefined ? 'agent' : config.defaultRole,
    redirect_uri: ssoRedirectUri(ctx),
    updated_at: config?.updatedAt ?? null,
  }
}

export async function readSsoSettings(ctx: Ctx, tenantId: string): Promise<SsoSettings> {
  return toSsoSettings(ctx, await findSsoConfig(ctx.db, tenantId))
}

/**
 * Checks and stores new settings. The issuer must be fetchable under the SSRF rule; turning
 * single sign-on on needs a client secret, at least one email domain (so a shared provider
 * cannot sign in the whole world) no other workspace claims, and a provider whose discovery
 * document answers for that issuer. Returns the settings and the names of the changed fields.
 */
export async function saveSsoSettings(
  ctx: Ctx,
  tenantId: string,
  body: SsoSettingsUpdate,
): Promise<{ settings: SsoSettings; changed: string[] }> {
  const before = await findSsoConfig(ctx.db, tenantId)
  const issuer = body.issuer.trim()
  const problem = outboundUrlProblem(issuer, ctx.config.fetchAllowPrivate)
  if (problem) throw invalidField(['body', 'issuer'], `issuer ${problem}`)
  const domains: string[] = []
  for (const [i, raw] of body.allowed_domains.entries()) {
    const d = normalizeDomain(raw)
    if (d === undefined) {
      throw invalidField(['body', 'allowed_domains', i], 'must be a domain such as acme.com')
    }
    if (!domains.includes(d)) domains.push(d)
  }
  const roleClaim = (body.role_claim ?? 'groups').trim()
  if (roleClaim === '') throw invalidField(['body', 'role_claim'], 'must not be blank')
  const secret = body.client_secret?.trim()
  const sealed =
    secret !== undefined && secret !== ''
      ? sealSecret(ctx.config.secret, secret, SSO_SECRET_INFO)
      : (before?.clientSecretSealed ?? null)
  const now = new Date().toISOString()
  const next: SsoConfig = {
    tenantId,
    enabled: body.enabled,
    issuer,
    clientId: body.client_id.trim(),
    clientSecretSealed: sealed,
    allowedDomains: domains,
    roleClaim,
    roleMappings: (body.role_mappings ?? []).map((m) => ({ value: m.value.trim(), role: m.role })),
    defaultRole: body.default_role === undefined ? 'agent' : body.default_role,
    createdAt: before?.createdAt ?? now,
    updatedAt: now,
  }
  if (next.enabled) {
    if (sealed === null) throw invalidField(['body', 'client_secret'], 'is required to turn it on')
    if (domains.length === 0) {
      throw invalidField(['body', 'allowed_domains'], 'needs at least one domain to turn it on')
    }
    for (const d of domains) {
      const claimed = await findEnabledSsoConfigsByDomain(ctx.db, d)
      if (claimed.some((c) => c.tenantId !== tenantId)) {
        throw conflict(`${d} already signs in with single sign-on to another workspace`)
      }
    }
    try {
      await discoverProvider(
        { issuer, clientId: next.clientId, clientSecret: secret || undefined },
        { allowPrivate: ctx.config.fetchAllowPrivate },
      )
    } catch (err) {
      throw badRequest(`Could not use the issuer ${issuer}: ${describeProviderError(err)}`)
    }
  }
  await saveSsoConfig(ctx.db, next)
  return { settings: toSsoSettings(ctx, next), changed: changedFields(before, next, !!secret) }
}

function changedFields(before: SsoConfig | undefined, next: SsoConfig, newSecret: boolean) {
  const pairs: Array<[string, unknown, unknown]> = [
    ['enabled', before?.enabled, next.enabled],
    ['issuer', before?.issuer, next.issuer],
    ['client_id', before?.clientId, next.clientId],
    ['allowed_domains', before?.allowedDomains, next.allowedDomains],
    ['role_claim', before?.roleClaim, next.roleClaim],
    ['role_mappings', before?.roleMappings, next.roleMappings],
    ['default_role', before?.defaultRole, next.defaultRole],
  ]
  const changed = pairs
    .filter(([, a, b]) => JSON.stringify(a) !== JSON.stringify(b))
    .map(([name]) => name)
  if (newSecret) changed.push('client_secret')
  return changed
}
