import { createHmac, randomInt, timingSafeEqual } from 'node:crypto'
import {
  EMAIL_CODE_LENGTH,
  EMAIL_CODE_MAX_TRIES,
  EMAIL_CODE_TTL_SECONDS,
  type WidgetSessionCodeResponse,
} from '@aurion/contract'
import type { RouteContext } from '../app-deps.ts'
import type { TenantAccess } from '../conversations/types.ts'
import { fileTokenConversationsAsProven } from '../conversations/visitor-access.ts'
import {
  emailAlreadyVerified,
  invalidVerificationCode,
  mailNotConfigured,
  mailSendFailed,
} from '../errors.ts'
import type { RateLimitRule } from '../limits/rate-limiter.ts'
import { limitByKey } from '../widget-auth/public-guard.ts'
import { deleteEmailCode, replaceEmailCode, spendEmailCodeTry } from './email-code-repo.ts'
import { signEmailToken } from './email-token.ts'
import { identityOfToken, type VisitorToken } from './visitor-auth.ts'

/**
 * Limits of the code flow beyond the per-IP ones: codes mailed to one address (so nobody floods
 * a mailbox, and guesses stay few: 5 tries per code, at most 10 codes a day → 50 guesses a day
 * against 1,000,000 codes), and tries per IP.
 */
export const CODE_LIMITS = {
  sendPerIp: { bucket: 'widget-code-send-ip', limit: 10, windowSec: 60 },
  sendPerEmail: { bucket: 'widget-code-send-email', limit: 3, windowSec: 15 * 60 },
  sendPerEmailDay: { bucket: 'widget-code-send-email-day', limit: 10, windowSec: 24 * 3600 },
  verifyPerIp: { bucket: 'widget-code-verify-ip', limit: 20, windowSec: 60 },
} as const satisfies Record<string, RateLimitRule>

type Ctx = RouteContext

const codeHash = (secret: string, tenantId: string, tokenId: string, code: string) =>
  createHmac('sha256', secret).update(`aurion-email-code:${tenantId}:${tokenId}:${code}`).digest()

/**
 * Mails a one-time code (6 digits, 10 minutes) to the token's email, replacing any earlier code
 * of the token. Sent while the visitor waits, so a refused send is reported, not promised.
 * @throws ApiError 409 (already proven), 429 (limits), 503 (no mail configured / send failed).
 */
export async function sendEmailCode(
  ctx: Ctx,
  access: TenantAccess,
  token: VisitorToken,
): Promise<WidgetSessionCodeResponse> {
  if (token.proven) throw emailAlreadyVerified()
  if (!ctx.mailer.canSend) throw mailNotConfigured()
  const tenantId = access.tenant.id
  const emailKey = `${tenantId}:${token.email}`
  await limitByKey(ctx, undefined, CODE_LIMITS.sendPerEmail, emailKey)
  await limitByKey(ctx, undefined, CODE_LIMITS.sendPerEmailDay, emailKey)
  const code = String(randomInt(0, 10 ** EMAIL_CODE_LENGTH)).padStart(EMAIL_CODE_LENGTH, '0')
  const now = Date.now()
  await replaceEmailCode(ctx.db, {
    tenant_id: tenantId,
    token_id: token.id,
    email: token.email,
    code_hash: codeHash(ctx.config.secret, tenantId, token.id, code).toString('hex'),
    expires_at: new Date(now + EMAIL_CODE_TTL_SECONDS * 1000).toISOString(),
    created_at: new Date(now).toISOString(),
  })
  const site = access.config.display_title
  try {
    await ctx.mailer.send({
      to: token.email,
      subject: `${code} is your ${site} verification code`,
      text: [
        `Your verification code for ${site} is:`,
        '',
        `    ${code}`,
        '',
        `It works for ${EMAIL_CODE_TTL_SECONDS / 60} minutes. Enter it in the chat window to see your conversations from other devices.`,
        '',
        'If you did not ask for this code, ignore this email: nobody can use it without it.',
      ].join('\n'),
    })
  } catch {
    await deleteEmailCode(ctx.db, tenantId, token.id)
    throw mailSendFailed()
  }
  return { sent: true, expires_in_seconds: EMAIL_CODE_TTL_SECONDS }
}

/**
 * Checks the token's code. Each call spends one of its 5 tries (atomically, so concurrent
 * guesses share them); the right code returns a new email token with the same id that proves the
 * email, and every conversation of the token is filed under that email.
 * @throws ApiError 400 invalid_code (wrong, expired, out of tries, or none sent).
 */
export async function verifyEmailCode(
  ctx: Ctx,
  access: TenantAccess,
  token: VisitorToken,
  code: string,
): Promise<{ email_token: string }> {
  const tenantId = access.tenant.id
  const row = await spendEmailCodeTry(
    ctx.db,
    tenantId,
    token.id,
    new Date().toISOString(),
    EMAIL_CODE_MAX_TRIES,
  )
  const given = code.replace(/\s+/g, '')
  if (row === undefined || row.email !== token.email) throw invalidVerificationCode()
  const expected = Buffer.from(row.code_hash, 'hex')
  const actual = codeHash(ctx.config.secret, tenantId, token.id, given)
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw invalidVerificationCode()
  }
  await deleteEmailCode(ctx.db, tenantId, token.id)
  const proven: VisitorToken = { ...token, proven: true }
  await fileTokenConversationsAsProven(ctx.db, tenantId, identityOfToken(proven))
  return {
    email_token: signEmailToken(ctx.config.secret, {
      tenantId,
      email: token.email,
      tokenId: token.id,
      codeVerified: true,
    }),
  }
}
