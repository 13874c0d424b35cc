import { type Kysely, sql } from 'kysely'

/**
 * A visitor's thread belongs to that visitor.
 *
 * - `conversations.owner_token_id`: the id (`jti`) of the email token that started or claimed
 *   the conversation. Only that token — or, once the email is proven, a proven token for the same
 *   email — reads, continues, follows or calls into it.
 * - `conversations.claimed_email`: an email the visitor typed but did not prove (`sender_email`,
 *   or a token without proof). Shown labelled unverified; never merged into a contact. Existing
 *   unproven conversations get their contact's email here, so they are labelled too.
 * - `visitor_email_codes`: the one-time code mailed to prove a token's email (hashed, one per
 *   token, with its expiry and failed tries).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('owner_token_id', 'text').execute()
  await db.schema.alterTable('conversations').addColumn('claimed_email', 'text').execute()
  await db.schema
    .createIndex('conversations_owner_token')
    .on('conversations')
    .columns(['tenant_id', 'owner_token_id'])
    .where(sql.ref('owner_token_id'), 'is not', null)
    .execute()
  await sql`update conversations set claimed_email = (
      select p.email from contacts p where p.id = conversations.contact_id
    ) where contact_verified = 0`.execute(db)
  await db.schema
    .createTable('visitor_email_codes')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('token_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('visitor_email_codes_pk', ['tenant_id', 'token_id'])
    .execute()
}
