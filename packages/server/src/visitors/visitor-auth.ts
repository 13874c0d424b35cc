import type { RouteContext } from '../app-deps.ts'
import type { TenantAccess } from '../conversations/types.ts'
import { invalidEmailToken, invalidField } from '../errors.ts'
import { identityFingerprint, verifyEmailToken } from './email-token.ts'

/**
 * Who the visitor is, as far as this request can tell.
 *
 * - `verifiedEmail`: proven by an email token from /widget/session (with identity verification
 *   when the tenant requires it). Conversations sent with it belong to that visitor: they appear
 *   in their /widget/history and only a holder of a token for the same email can continue them.
 * - `senderEmail`: merely asserted (`sender_email`). It links the conversation to a contact so
 *   admins can answer, but never puts it into anyone's history: otherwise anybody could plant
 *   messages in another visitor's history by typing their address.
 */
export interface VisitorIdentity {
  verifiedEmail?: string | undefined
  senderEmail?: string | undefined
}

/**
 * Verifies an email token for this tenant. Tampered, expired, another tenant's, or (when the
 * tenant requires identity verification) not vouched for by its current identity secret →
 * 401 "Invalid or expired email token". Returns the lower-cased email.
 */
export function verifyVisitorToken(
  ctx: Pick<RouteContext, 'config'>,
  access: TenantAccess,
  token: string,
): string {
  const payload = verifyEmailToken(ctx.config.secret, token, { tenantId: access.tenant.id })
  if (!payload) throw invalidEmailToken()
  if (
    access.config.identity_verification_required &&
    payload.iv !== identityFingerprint(access.tenant.identity_secret)
  ) {
    throw invalidEmailToken()
  }
  return payload.email
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
  const verifiedEmail = verifyVisitorToken(ctx, access, input.emailToken)
  if (senderEmail !== undefined && senderEmail !== verifiedEmail) {
    throw invalidField(loc, 'sender_email does not match the email of email_token')
  }
  return { verifiedEmail, senderEmail: verifiedEmail }
}
