import type { Selectable } from 'kysely'
import type { Db, HelpCentersTable } from '../db/schema.ts'
import { nowIso } from '../ids.ts'

export type HelpCenterRow = Selectable<HelpCentersTable>

/** What an admin sets (already validated). */
export interface HelpCenterFields {
  enabled: boolean
  slug: string
  title: string
  description: string | null
  logo_url: string | null
  primary_color: string | null
}

/** The tenant's Help Center settings, or `undefined` before the first `PUT`. */
export async function findHelpCenter(db: Db, tenantId: string): Promise<HelpCenterRow | undefined> {
  return db
    .selectFrom('help_centers')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst()
}

/** The Help Center with this slug, if it is enabled (what the public site serves). */
export async function findEnabledHelpCenterBySlug(
  db: Db,
  slug: string,
): Promise<HelpCenterRow | undefined> {
  return db
    .selectFrom('help_centers')
    .selectAll()
    .where('slug', '=', slug)
    .where('enabled', '=', 1)
    .executeTakeFirst()
}

/**
 * Creates or replaces the tenant's settings. Throws the database's unique violation when another
 * tenant holds the slug (the caller answers 409).
 */
export async function saveHelpCenter(
  db: Db,
  tenantId: string,
  fields: HelpCenterFields,
): Promise<HelpCenterRow> {
  const now = nowIso()
  const values = { ...fields, enabled: fields.enabled ? 1 : 0, updated_at: now }
  await db
    .insertInto('help_centers')
    .values({ tenant_id: tenantId, ...values, created_at: now })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet(values))
    .execute()
  return (await findHelpCenter(db, tenantId))!
}
