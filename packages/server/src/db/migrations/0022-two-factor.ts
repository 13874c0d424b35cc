import type { Kysely } from 'kysely'
import type { Dialect } from '../schema.ts'

/**
 * Two-factor sign-in for console users (issue 24):
 * - `admin_users.totp_secret`: the authenticator secret, sealed (AES-GCM under a key derived
 *   from AURION_SECRET; the server must read it to check codes, so it cannot be a hash). Set
 *   with `totp_enabled_at` once a code confirmed it; `totp_pending_secret` holds a secret being
 *   set up until then.
 * - `admin_users.totp_last_step`: the 30-second step of the last code accepted. A code is
 *   accepted only for a later step, so a code seen over a shoulder cannot be used again.
 * - `admin_recovery_codes`: one-time recovery codes, stored as keyed hashes, `used_at` once used.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('admin_users').addColumn('totp_secret', 'text').execute()
  await db.schema.alterTable('admin_users').addColumn('totp_pending_secret', 'text').execute()
  await db.schema.alterTable('admin_users').addColumn('totp_enabled_at', 'text').execute()
  await db.schema.alterTable('admin_users').addColumn('totp_last_step', 'bigint').execute()
  await db.schema
    .createTable('admin_recovery_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) =>
      c.notNull().references('admin_users.id').onDelete('cascade'),
    )
    .addColumn('code_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute()
  await db.schema
    .createIndex('admin_recovery_codes_user_id')
    .on('admin_recovery_codes')
    .column('user_id')
    .execute()
}
