import type { Db, VisitorEmailCodesTable } from '../db/schema.ts'

export type EmailCodeRow = Omit<VisitorEmailCodesTable, 'failed_attempts'> & {
  failed_attempts: number
}

/**
 * Stores the token's code, replacing any earlier one (and its count of tries); the tenant's
 * expired codes go on the way, so the table holds only live ones.
 */
export async function replaceEmailCode(
  db: Db,
  row: Omit<EmailCodeRow, 'failed_attempts'>,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await deleteEmailCode(trx, row.tenant_id, row.token_id)
    await trx
      .deleteFrom('visitor_email_codes')
      .where('tenant_id', '=', row.tenant_id)
      .where('expires_at', '<=', row.created_at)
      .execute()
    await trx.insertInto('visitor_email_codes').values(row).execute()
  })
}

/**
 * Spends one try of the token's code, atomically: only while the code exists, has not expired
 * and has fewer than `maxTries` tries spent. Returns the code's row as it was, or undefined when
 * no try is left (concurrent guesses cannot spend more than `maxTries` between them).
 */
export async function spendEmailCodeTry(
  db: Db,
  tenantId: string,
  tokenId: string,
  now: string,
  maxTries: number,
): Promise<EmailCodeRow | undefined> {
  const res = await db
    .updateTable('visitor_email_codes')
    .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
    .where('tenant_id', '=', tenantId)
    .where('token_id', '=', tokenId)
    .where('failed_attempts', '<', maxTries)
    .where('expires_at', '>', now)
    .executeTakeFirst()
  if (Number(res.numUpdatedRows) !== 1) return undefined
  const row = await db
    .selectFrom('visitor_email_codes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('token_id', '=', tokenId)
    .executeTakeFirst()
  return row === undefined ? undefined : { ...row, failed_attempts: Number(row.failed_attempts) }
}

export async function deleteEmailCode(db: Db, tenantId: string, tokenId: string): Promise<void> {
  await db
    .deleteFrom('visitor_email_codes')
    .where('tenant_id', '=', tenantId)
    .where('token_id', '=', tokenId)
    .execute()
}
