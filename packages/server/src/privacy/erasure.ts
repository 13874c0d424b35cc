import type { PrivacyEraseResponse } from '@aurion/contract'
import { sql } from 'kysely'
import type { DbHandle } from '../db/connect.ts'
import type { RealtimeBus } from '../realtime/bus.ts'
import type { TenantCache } from '../tenants/tenant-cache.ts'
import { revocationHash, withRevocation } from './token-revocation.ts'
import {
  countConversationContent,
  deleteConversations,
  findVisitorDataIds,
} from './visitor-data-repo.ts'

export interface ErasureDeps {
  database: DbHandle
  bus: RealtimeBus
  tenantCache?: TenantCache | undefined
  config: { secret: string }
}

/**
 * Erases everything stored about `email` in a tenant, in one transaction: its conversations
 * (messages, threads, attachments), its contacts and its pending email codes; and revokes the
 * email tokens issued for it until now. Then the deleted bytes are wiped from the database
 * files (SQLite: `secure_delete` zeroes freed content, and the log is checkpointed and
 * truncated so no old page image remains in it).
 */
export async function eraseVisitor(
  deps: ErasureDeps,
  tenantId: string,
  rawEmail: string,
): Promise<PrivacyEraseResponse> {
  const email = rawEmail.trim().toLowerCase()
  const db = deps.database.db
  const counts = await db.transaction().execute(async (trx) => {
    const ids = await findVisitorDataIds(trx, tenantId, email)
    const content = await countConversationContent(trx, tenantId, ids.conversationIds)
    const conversations = await deleteConversations(trx, tenantId, ids.conversationIds)
    let contacts = 0
    if (ids.contactIds.length > 0) {
      const res = await trx
        .deleteFrom('contacts')
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', ids.contactIds)
        .executeTakeFirst()
      contacts = Number(res.numDeletedRows)
    }
    await trx
      .deleteFrom('visitor_email_codes')
      .where('tenant_id', '=', tenantId)
      .where('email', '=', email)
      .execute()
    const tenant = await trx
      .selectFrom('tenants')
      .select('token_revocations')
      .where('id', '=', tenantId)
      .executeTakeFirst()
    if (tenant) {
      await trx
        .updateTable('tenants')
        .set({
          token_revocations: withRevocation(
            tenant.token_revocations,
            revocationHash(deps.config.secret, email),
            Math.floor(Date.now() / 1000),
          ),
        })
        .where('id', '=', tenantId)
        .execute()
    }
    return { contacts, conversations, ...content }
  })
  deps.tenantCache?.invalidate(tenantId)
  await deps.bus.publish({ type: 'tenant.config_changed', tenantId }).catch(() => {})
  await wipeFreedPages(deps.database)
  return { email, ...counts }
}

/**
 * SQLite keeps old page images in its write-ahead log until a checkpoint rewinds it: a
 * checkpoint that truncates the log leaves the erased bytes nowhere (freed pages were zeroed by
 * `secure_delete`). A transaction still open on the connection (a group commit about to end) or
 * a reader makes it report busy: it is retried a few turns of the event loop later.
 */
export async function wipeFreedPages(database: DbHandle): Promise<void> {
  if (database.dialect !== 'sqlite') return
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const { rows } = await sql<{
        busy: number
        log: number
      }>`pragma wal_checkpoint(TRUNCATE)`.execute(database.db)
      const r = rows[0]
      if (r === undefined || (r.busy === 0 && r.log <= 0)) return
    } catch {
      // Inside an open transaction SQLite refuses the checkpoint: wait for it to end.
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
