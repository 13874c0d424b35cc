import type { Db } from '../db/schema.ts'

/** Ids looked up per query: well below SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500

/** Those of `ids` that are conversations of this tenant (in any order, each once). */
export async function filterTenantConversationIds(
  db: Db,
  tenantId: string,
  ids: readonly string[],
): Promise<string[]> {
  const unique = [...new Set(ids)]
  const out: string[] = []
  for (let i = 0; i < unique.length; i += CHUNK) {
    const rows = await db
      .selectFrom('conversations')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', unique.slice(i, i + CHUNK))
      .execute()
    for (const r of rows) out.push(r.id)
  }
  return out
}
