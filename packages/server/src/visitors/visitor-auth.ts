import type { RouteContext } from '../app-deps.ts'
import type { TenantAccess } from '../conversations/types.ts'
import { invalidEmailToken, invalidField } from '../errors.ts'
import { isTokenRevoked } from '../privacy/token-revocation.ts'
import { identityFingerprint, isEmailProven, verifyEmailToken } from './email-token.ts'

/** A verified email token, as far as ownership is concerned. */
export interface VisitorToken {
  /** The token id (`jti`): conversations this token started or claimed are recorded under it. */
  id: string
  /** Lower-cased email of the token. */
  email: string
  /** The email is proven (identity verification or a mailed code), not merely typed. */
  proven: boolean
}

/**
 * Who the visitor is, as far as this request can tell.
 *
 * - `token`: the email token sent with the request. Conversations it starts belong to it; only
 *   this token (or, once proven, a proven token for the same email) reads or continues them.
 * - `verifiedEmail`: the email when the token proves it. Only then is the conversation filed
 *   under that email's contact and listed in every proven token's history.
 * - `senderEmail`: merely claimed (`sender_email`, or the email of a token that does not prove
 *   it). Stored on the conversation as an unverified claim; never merged into a contact.
 */
export interface VisitorIdentity {
  token?: VisitorToken | undefined
  verifiedEmail?: string | undefined
  senderEmail?: string | undefined
}

/**
 * Verifies an email token for this tenant. Tampered, expired, another tenant's, issued before
 * token ids or before its email was erased, or (when the tenant requires identity verification) not vouched for by its current
 * identity secret → 401 "Invalid or expired email token".
 */
export function verifyVisitorToken(
  ctx: Pick<RouteContext, 'config'>,
  access: TenantAccess,
  token: string,
): VisitorToken {
  const payload = verifyEmailToken(ctx.config.secret, token, { tenantId: access.tenant.id })
  if (!payload) throw invalidEmailToken()
  // The email's data was erased after this token was issued: the token goes with it.
  if (isTokenRevoked(access.tenant, ctx.config.secret, payload.email, payload.iat)) {
    throw invalidEmailToken()
  }
  if (
    access.config.identity_verification_required &&
    payload.iv !== identityFingerprint(access.tenant.identity_secret)
  ) {
    throw invalidEmailToken()
  }
  return { id: payload.jti, email: payload.email, proven: isEmailProven(payload) }
}

/** The identity a verified token gives. */
export function identityOfToken(token: VisitorToken): VisitorIdentity {
  return {
    token,
    senderEmail: token.email,
    ...(token.proven ? { verifiedEmail: token.email } : {}),
  }
}

/**
 * The identity of a message from its optional `email_token` and `sender_email`. A sender_email
 * that contradicts the token is a 422 naming `loc` (e.g. `['body','sender_email']`).
 */
export function resolveVisitorIdentity(
  ctx: Pick<RouteContext, 'config'>,
  access: TenantAccess,
  input: { emailToken?: string | undefined; senderEmail?: string | undefined },
  loc: (string | number)[] = ['body', 'sender_email'],
): VisitorIdentity {
  const senderEmail = input.senderEmail?.toLowerCase()
  if (input.emailToken === undefined) return { senderEmail }
  const token = verifyVisitorToken(ctx, access, input.emailToken)
  if (senderEmail !== undefined && senderEmail !== token.email) {
    throw invalidField(loc, 'sender_email does not match the email of email_token')
  }
  return identityOfToken(token)
}
