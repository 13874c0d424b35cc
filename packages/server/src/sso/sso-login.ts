import type { TeamRole } from '@aurion/contract'
import * as oidc from 'openid-client'
import {
  type AdminUserRow,
  createAdminUser,
  findAdminUserByEmail,
} from '../admin-users/user-repo.ts'
import type { RouteContext } from '../app-deps.ts'
import { auditHash, recordAudit } from '../audit/audit.ts'
import { safeEqual } from '../auth/keys.ts'
import { type ApiError, badRequest, conflict, ssoFailed, ssoProviderError } from '../errors.ts'
import { randomBase62 } from '../ids.ts'
import { countOwners, lockTenantTeam, setMemberRole } from '../team/member-repo.ts'
import { openSecret } from '../webhooks/secret-box.ts'
import { describeProviderError, discoverProvider } from './oidc-provider-client.ts'
import { emailDomain, mapRole } from './role-mapping.ts'
import { findEnabledSsoConfigsByDomain, findSsoConfig, type SsoConfig } from './sso-config-repo.ts'
import { SSO_SECRET_INFO, ssoRedirectUri } from './sso-settings.ts'
import { consumeLoginState, deleteStaleLoginStates, insertLoginState } from './sso-state-repo.ts'

type Ctx = Pick<RouteContext, 'db' | 'database' | 'config'>

/** The provider configuration of a tenant's settings (discovered, cached until they change). */
async function providerFor(ctx: Ctx, sso: SsoConfig): Promise<oidc.Configuration> {
  const secret =
    sso.clientSecretSealed === null
      ? undefined
      : openSecret(ctx.config.secret, sso.clientSecretSealed, SSO_SECRET_INFO)
  if (sso.clientSecretSealed !== null && secret === undefined) {
    throw ssoProviderError(
      'The stored client secret cannot be read (AURION_SECRET changed): an owner must enter it again',
    )
  }
  try {
    return await discoverProvider(
      { issuer: sso.issuer, clientId: sso.clientId, clientSecret: secret },
      { allowPrivate: ctx.config.fetchAllowPrivate, cacheKey: `${sso.tenantId}|${sso.updatedAt}` },
    )
  } catch (err) {
    throw ssoProviderError(`The identity provider cannot be used: ${describeProviderError(err)}`)
  }
}

/**
 * Starts a sign-in: finds the workspace (by tenant id, or by the domain of the email the user
 * typed), records a single-use state with a PKCE verifier and a nonce, and returns the
 * provider's authorization URL and the state (the route binds it to the browser in a cookie).
 */
export async function startSsoLogin(
  ctx: Ctx,
  query: { tenant?: string | undefined; email?: string | undefined },
): Promise<{ url: string; state: string }> {
  if ((query.tenant === undefined) === (query.email === undefined)) {
    throw badRequest('Send either tenant or email')
  }
  let sso: SsoConfig | undefined
  if (query.tenant !== undefined) {
    sso = await findSsoConfig(ctx.db, query.tenant)
    if (!sso?.enabled) throw ssoFailed(404, 'Single sign-on is not set up for this workspace')
  } else {
    const domain = emailDomain(query.email!)
    if (domain === undefined) throw badRequest('email must be an address such as ada@acme.com')
    const found = await findEnabledSsoConfigsByDomain(ctx.db, domain)
    if (found.length === 0) {
      throw ssoFailed(404, `No workspace signs in ${domain} accounts with single sign-on`)
    }
    if (found.length > 1) throw conflict(`Several workspaces sign in ${domain}: use tenant`)
    sso = found[0]!
  }
  const provider = await providerFor(ctx, sso)
  const state = oidc.randomState()
  const nonce = oidc.randomNonce()
  const codeVerifier = oidc.randomPKCECodeVerifier()
  await insertLoginState(ctx.db, { state, tenantId: sso.tenantId, codeVerifier, nonce })
  deleteStaleLoginStates(ctx.db).catch(() => undefined)
  const supported = provider.serverMetadata().scopes_supported ?? []
  const scope = ['openid', 'email', 'profile']
  if (supported.includes(sso.roleClaim) && !scope.includes(sso.roleClaim)) scope.push(sso.roleClaim)
  const url = oidc.buildAuthorizationUrl(provider, {
    redirect_uri: ssoRedirectUri(ctx),
    scope: scope.join(' '),
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...(query.email !== undefined ? { login_hint: query.email.trim() } : {}),
  })
  return { url: url.href, state }
}

export interface SsoLoginResult {
  user: AdminUserRow
  /** The user was created by this sign-in (just-in-time provisioning). */
  created: boolean
}

/**
 * Finishes a sign-in from the provider's answer: the state is taken for its one use and must
 * match the browser's cookie, the code is exchanged with the PKCE verifier, the ID token is
 * verified (signature, issuer, audience, expiry, nonce), the email must be verified and of an
 * allowed domain; the user is found or provisioned with the mapped role. Every refusal after
 * the state is known is audited as `console.sso_login_failed`.
 */
export async function finishSsoLogin(
  ctx: Ctx,
  input: {
    query: Record<string, string | undefined>
    /** The state in the browser's cookie. */
    cookieState: string | undefined
    /** The query string the provider sent back (`?code=…&state=…`). */
    search: string
    ip: string
  },
): Promise<SsoLoginResult> {
  const state = input.query.state
  if (state === undefined || state === '') throw ssoFailed(400, 'The sign-in answer has no state')
  const taken = await consumeLoginState(ctx.db, state)
  if (taken.outcome === 'unknown') {
    throw ssoFailed(400, 'Unknown or expired sign-in: start again')
  }
  const tenantId = taken.row.tenant_id
  let emailHash: string | undefined
  const fail = async (err: ApiError, reason: string): Promise<never> => {
    await recordAudit(ctx.db, {
      tenantId,
      actor: { type: 'anonymous', id: null },
      action: 'console.sso_login_failed',
      details: { reason, ...(emailHash !== undefined ? { email_hash: emailHash } : {}) },
      ip: input.ip,
    })
    throw err
  }
  if (taken.outcome === 'used') {
    return fail(ssoFailed(400, 'This sign-in answer was already used: start again'), 'state_reused')
  }
  if (taken.outcome === 'expired') {
    return fail(ssoFailed(400, 'This sign-in took too long: start again'), 'state_expired')
  }
  if (input.cookieState === undefined || !safeEqual(input.cookieState, state)) {
    return fail(
      ssoFailed(400, 'This sign-in was started in another browser: start again'),
      'browser_mismatch',
    )
  }
  const sso = await findSsoConfig(ctx.db, tenantId)
  if (!sso?.enabled) {
    return fail(ssoFailed(403, 'Single sign-on is off for this workspace'), 'disabled')
  }
  let provider: oidc.Configuration
  try {
    provider = await providerFor(ctx, sso)
  } catch (err) {
    return fail(err as ApiError, 'provider_unavailable')
  }
  const claims = await exchange(ctx, provider, sso, state, taken.row, input.search).catch(
    (err: unknown) => fail(toApiError(err), 'token_rejected'),
  )
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : undefined
  if (email === undefined || email === '') {
    return fail(ssoFailed(403, 'The identity provider shared no email address'), 'no_email')
  }
  emailHash = auditHash(ctx.config.secret, email)
  if (claims.email_verified !== true) {
    return fail(
      ssoFailed(403, 'The identity provider has not verified this email address'),
      'email_unverified',
    )
  }
  const domain = emailDomain(email)
  if (domain === undefined || !sso.allowedDomains.includes(domain)) {
    return fail(
      ssoFailed(403, `Accounts of ${domain ?? 'this domain'} may not sign in to this workspace`),
      'domain_not_allowed',
    )
  }
  const mapped = mapRole(claims[sso.roleClaim], sso.roleMappings, sso.defaultRole)
  const existing = await findAdminUserByEmail(ctx.db, email)
  if (existing && existing.tenant_id !== tenantId) {
    return fail(
      ssoFailed(403, 'This email belongs to a user of another workspace'),
      'other_workspace',
    )
  }
  if (existing) {
    if (mapped.matched && mapped.role !== null && mapped.role !== existing.role) {
      const user = await syncRole(ctx, existing, mapped.role, input.ip)
      return { user, created: false }
    }
    return { user: existing, created: false }
  }
  if (mapped.role === null) {
    return fail(
      ssoFailed(403, 'No role for this account in this workspace: ask an owner to map your group'),
      'no_role',
    )
  }
  const name = typeof claims.name === 'string' ? claims.name.slice(0, 200) : null
  const user = await provision(ctx, { tenantId, email, name, role: mapped.role })
  if (user.created) {
    await recordAudit(ctx.db, {
      tenantId,
      actor: { type: 'system', id: null },
      action: 'user.provisioned',
      target: user.row.id,
      details: { role: user.row.role, via: 'sso', email_hash: emailHash },
      ip: input.ip,
    })
  }
  return { user: user.row, created: user.created }
}

/** The code for tokens, the ID token's claims (and, for what it lacks, the userinfo's). */
async function exchange(
  ctx: Ctx,
  provider: oidc.Configuration,
  sso: SsoConfig,
  state: string,
  row: { code_verifier: string; nonce: string },
  search: string,
): Promise<Record<string, unknown>> {
  const currentUrl = new URL(ssoRedirectUri(ctx))
  currentUrl.search = search
  const tokens = await oidc.authorizationCodeGrant(provider, currentUrl, {
    pkceCodeVerifier: row.code_verifier,
    expectedState: state,
    expectedNonce: row.nonce,
    idTokenExpected: true,
  })
  const idClaims = tokens.claims()
  if (idClaims === undefined) throw ssoFailed(401, 'The identity provider sent no ID token')
  const claims: Record<string, unknown> = { ...idClaims }
  const missing = ['email', 'email_verified', sso.roleClaim].some((c) => claims[c] === undefined)
  if (missing && provider.serverMetadata().userinfo_endpoint && tokens.access_token) {
    const info = await oidc.fetchUserInfo(provider, tokens.access_token, idClaims.sub)
    for (const [k, v] of Object.entries(info)) if (claims[k] === undefined) claims[k] = v
  }
  return claims
}

function toApiError(err: unknown): ApiError {
  if (err instanceof Error && err.name === 'ApiError') return err as ApiError
  if (isTransportError(err)) {
    return ssoProviderError(
      `The identity provider cannot be reached: ${describeProviderError(err)}`,
    )
  }
  return ssoFailed(401, `The identity provider's answer was refused: ${describeProviderError(err)}`)
}

/** A network failure or a refused address (502), as opposed to an answer that was wrong (401). */
function isTransportError(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e.name === 'BlockedTargetError') return true
    const code = (e as NodeJS.ErrnoException).code
    if (code !== undefined && /^E[A-Z]+$/.test(code)) return true
    if (e.message.startsWith('no complete answer')) return true
  }
  return false
}

/**
 * A rule of the mapping decides the role at every sign-in (the provider's groups are the truth),
 * except that the workspace's last owner is not demoted. Audited as `user.role_changed`.
 */
async function syncRole(
  ctx: Ctx,
  user: AdminUserRow,
  role: TeamRole,
  ip: string,
): Promise<AdminUserRow> {
  const changed = await ctx.db.transaction().execute(async (trx) => {
    await lockTenantTeam(trx, ctx.database.dialect, user.tenant_id)
    if (user.role === 'owner' && (await countOwners(trx, user.tenant_id)) <= 1) return false
    await setMemberRole(trx, user.id, role)
    return true
  })
  if (!changed) return user
  await recordAudit(ctx.db, {
    tenantId: user.tenant_id,
    actor: { type: 'system', id: null },
    action: 'user.role_changed',
    target: user.id,
    details: { role, via: 'sso' },
    ip,
  })
  return { ...user, role }
}

/** Creates the user (no usable password: they sign in through the provider). */
async function provision(
  ctx: Ctx,
  input: { tenantId: string; email: string; name: string | null; role: TeamRole },
): Promise<{ row: AdminUserRow; created: boolean }> {
  try {
    const row = await createAdminUser(ctx.db, { ...input, password: randomBase62(43) })
    return { row, created: true }
  } catch (err) {
    // Two first sign-ins at once: the other one created the user.
    const row = await findAdminUserByEmail(ctx.db, input.email)
    if (row && row.tenant_id === input.tenantId) return { row, created: false }
    throw err
  }
}
