import type { FastifyRequest } from 'fastify'
import { checkSecondFactor, SECOND_FACTOR_LIMIT } from '../../admin-users/two-factor.ts'
import type { AdminUserRow } from '../../admin-users/user-repo.ts'
import type { RouteContext } from '../../app-deps.ts'
import { type AuditActor, recordAudit } from '../../audit/audit.ts'
import { invalidTwoFactorCode, tooManyLoginAttempts } from '../../errors.ts'
import { throttleFailures } from '../../limits/failure-throttle.ts'

/**
 * Checks a second factor (app code or recovery code) of a user with two-factor sign-in on,
 * counting failures per user ({@link SECOND_FACTOR_LIMIT}: then 429 until the window passes).
 * A failure is audited and thrown as `invalid_two_factor_code` with `status` (401 at sign-in,
 * 403 for a signed-in user, whom a 401 would sign out); a recovery code used is audited.
 */
export async function requireSecondFactor(
  ctx: RouteContext,
  request: FastifyRequest,
  user: Pick<AdminUserRow, 'id' | 'tenant_id' | 'totp_secret'>,
  code: string,
  opts: { status: 401 | 403; actor: AuditActor },
): Promise<'totp' | 'recovery'> {
  const outcome = await throttleFailures(
    ctx.limiter,
    [{ rule: SECOND_FACTOR_LIMIT, key: user.id }],
    () => checkSecondFactor(ctx.db, ctx.config.secret, user, code),
  )
  if (outcome.blocked) throw tooManyLoginAttempts(outcome.retryAfterSec)
  const audit = (action: string) =>
    recordAudit(ctx.db, {
      tenantId: user.tenant_id,
      actor: opts.actor,
      action,
      target: user.id,
      ip: request.ip,
    })
  if (outcome.value === undefined) {
    await audit('console.two_factor_failed')
    throw invalidTwoFactorCode(opts.status)
  }
  if (outcome.value === 'recovery') await audit('console.recovery_code_used')
  return outcome.value
}
