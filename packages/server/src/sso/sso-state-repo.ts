import type { Selectable } from 'kysely'
import { sha256Hex } from '../auth/keys.ts'
import type { Db, SsoLoginStatesTable } from '../db/schema.ts'

export type SsoLoginStateRow = Selectable<SsoLoginStatesTable>

/** A sign-in started at `/sso/start` must come back within 10 minutes. */
export const SSO_STATE_TTL_MS = 10 * 60 * 1000

/** Records a sign-in under way; only the hash of its `state` is stored. */
export async function insertLoginState(
  db: Db,
  input: { state: string; tenantId: string; codeVerifier: string; nonce: string; now?: Date },
): Promise<void> {
  const now = input.now ?? new Date()
  await db
    .insertInto('sso_login_states')
    .values({
      state_hash: sha256Hex(input.state),
      tenant_id: input.tenantId,
      code_verifier: input.codeVerifier,
      nonce: input.nonce,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + SSO_STATE_TTL_MS).toISOString(),
      used_at: null,
    })
    .execute()
}

export type ConsumedState =
  | { outcome: 'ok'; row: SsoLoginStateRow }
  | { outcome: 'used' | 'expired'; row: SsoLoginStateRow }
  | { outcome: 'unknown' }

/**
 * Takes a state for its one use: one conditional UPDATE, so two callbacks racing with the same
 * state cannot both pass. A used or expired state is reported with its row (for the audit).
 */
export async function consumeLoginState(
  db: Db,
  state: string,
  now = new Date(),
): Promise<ConsumedState> {
  const hash = sha256Hex(state)
  const res = await db
    .updateTable('sso_login_states')
    .set({ used_at: now.toISOString() })
    .where('state_hash', '=', hash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst()
  const row = await db
    .selectFrom('sso_login_states')
    .selectAll()
    .where('state_hash', '=', hash)
    .executeTakeFirst()
  if (!row) return { outcome: 'unknown' }
  if (Number(res.numUpdatedRows) === 1) return { outcome: 'ok', row }
  return { outcome: row.used_at !== null ? 'used' : 'expired', row }
}

/** Deletes states that expired more than a day ago (kept a while so a replay is still told apart). */
export async function deleteStaleLoginStates(db: Db, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - 24 * 60 * 60 * 1000).toISOString()
  const res = await db
    .deleteFrom('sso_login_states')
    .where('expires_at', '<', cutoff)
    .executeTakeFirst()
  return Number(res.numDeletedRows)
}
