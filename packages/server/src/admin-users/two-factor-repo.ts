import type { Db } from '../db/schema.ts'
import { newId } from '../ids.ts'

/** Stores a sealed secret being set up; it replaces an earlier unconfirmed one. */
export async function setPendingTotpSecret(db: Db, userId: string, sealed: string): Promise<void> {
  await db
    .updateTable('admin_users')
    .set({ totp_pending_secret: sealed })
    .where('id', '=', userId)
    .execute()
}

/**
 * Turns two-factor sign-in on with the confirmed secret, the step of the code that confirmed it
 * (not usable again) and a fresh set of recovery code hashes, in one transaction. Returns false
 * when the pending secret changed meanwhile (another setup started): nothing is changed then.
 */
export async function enableTotp(
  db: Db,
  input: { userId: string; sealed: string; step: number; codeHashes: string[]; now: string },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('admin_users')
      .set({
        totp_secret: input.sealed,
        totp_pending_secret: null,
        totp_enabled_at: input.now,
        totp_last_step: input.step,
      })
      .where('id', '=', input.userId)
      .where('totp_pending_secret', '=', input.sealed)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0) return false
    await trx.deleteFrom('admin_recovery_codes').where('user_id', '=', input.userId).execute()
    await trx
      .insertInto('admin_recovery_codes')
      .values(
        input.codeHashes.map((code_hash) => ({
          id: newId('rec'),
          user_id: input.userId,
          code_hash,
          created_at: input.now,
          used_at: null,
        })),
      )
      .execute()
    return true
  })
}

/** Turns two-factor sign-in off: the secret and every recovery code are deleted. */
export async function disableTotp(db: Db, userId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('admin_users')
      .set({
        totp_secret: null,
        totp_pending_secret: null,
        totp_enabled_at: null,
        totp_last_step: null,
      })
      .where('id', '=', userId)
      .execute()
    await trx.deleteFrom('admin_recovery_codes').where('user_id', '=', userId).execute()
  })
}

/**
 * Records `step` as the last accepted code's step, only when it is later than the last one (one
 * statement, so two requests with the same code cannot both pass). False for a replay.
 */
export async function claimTotpStep(db: Db, userId: string, step: number): Promise<boolean> {
  const res = await db
    .updateTable('admin_users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where('totp_secret', 'is not', null)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst()
  return Number(res.numUpdatedRows) > 0
}

/** Marks an unused recovery code of the user as used; false when there is no such unused code. */
export async function useRecoveryCode(
  db: Db,
  userId: string,
  codeHash: string,
  now: string,
): Promise<boolean> {
  const res = await db
    .updateTable('admin_recovery_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst()
  return Number(res.numUpdatedRows) > 0
}

export async function countUnusedRecoveryCodes(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('admin_recovery_codes')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
