import type { Db } from '../db/schema.ts'

/** A tenant's phone line as stored. */
export interface PhoneLine {
  tenantId: string
  enabled: boolean
  numbers: string[]
  greeting: string | null
  transferTo: string | null
  trunkId: string | null
  dispatchRuleId: string | null
  updatedAt: string | null
}

/** The line of a tenant that never set one up: off, no numbers. */
export function emptyPhoneLine(tenantId: string): PhoneLine {
  return {
    tenantId,
    enabled: false,
    numbers: [],
    greeting: null,
    transferTo: null,
    trunkId: null,
    dispatchRuleId: null,
    updatedAt: null,
  }
}

export async function findPhoneLine(db: Db, tenantId: string): Promise<PhoneLine> {
  const row = await db
    .selectFrom('phone_lines')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst()
  if (row === undefined) return emptyPhoneLine(tenantId)
  const numbers = await db
    .selectFrom('phone_numbers')
    .select('number')
    .where('tenant_id', '=', tenantId)
    .orderBy('position')
    .execute()
  return {
    tenantId,
    enabled: row.enabled === 1,
    numbers: numbers.map((n) => n.number),
    greeting: row.greeting,
    transferTo: row.transfer_to,
    trunkId: row.trunk_id,
    dispatchRuleId: row.dispatch_rule_id,
    updatedAt: row.updated_at,
  }
}

/** Those of `numbers` that another tenant's line already holds. */
export async function numbersHeldElsewhere(
  db: Db,
  tenantId: string,
  numbers: readonly string[],
): Promise<string[]> {
  if (numbers.length === 0) return []
  const rows = await db
    .selectFrom('phone_numbers')
    .select('number')
    .where('number', 'in', [...numbers])
    .where('tenant_id', '<>', tenantId)
    .execute()
  return rows.map((r) => r.number)
}

/**
 * Replaces the tenant's line and its numbers in one transaction. A number another tenant holds
 * fails the primary key (a unique violation the caller maps to 409), and nothing is written.
 */
export async function savePhoneLine(db: Db, line: PhoneLine, now: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('phone_numbers').where('tenant_id', '=', line.tenantId).execute()
    if (line.numbers.length > 0)
      await trx
        .insertInto('phone_numbers')
        .values(
          line.numbers.map((number, position) => ({ number, tenant_id: line.tenantId, position })),
        )
        .execute()
    const values = {
      enabled: line.enabled ? 1 : 0,
      greeting: line.greeting,
      transfer_to: line.transferTo,
      trunk_id: line.trunkId,
      dispatch_rule_id: line.dispatchRuleId,
      updated_at: now,
    }
    await trx
      .insertInto('phone_lines')
      .values({ tenant_id: line.tenantId, ...values })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet(values))
      .execute()
  })
}

/** The tenant whose line answers `number`, when that line is on. */
export async function tenantForNumber(db: Db, number: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('phone_numbers')
    .innerJoin('phone_lines', 'phone_lines.tenant_id', 'phone_numbers.tenant_id')
    .select('phone_numbers.tenant_id')
    .where('phone_numbers.number', '=', number)
    .where('phone_lines.enabled', '=', 1)
    .executeTakeFirst()
  return row?.tenant_id
}
