import { type Kysely, sql } from 'kysely'

/**
 * The tenant's phone line (`/api/v1/voice-widget/phone`): its settings and the LiveKit SIP
 * objects that carry it, and the numbers it answers. A number is the primary key of
 * `phone_numbers`, so one number belongs to one tenant whatever two admins do at once.
 * Callers become contacts by their number (`contacts.phone`, one contact per number and tenant),
 * apart from email contacts: a number and an address are never merged by guesswork.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('phone_lines')
    .addColumn('tenant_id', 'text', (c) =>
      c.primaryKey().references('tenants.id').onDelete('cascade'),
    )
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('greeting', 'text')
    .addColumn('transfer_to', 'text')
    .addColumn('trunk_id', 'text')
    .addColumn('dispatch_rule_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('phone_numbers')
    .addColumn('number', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('phone_numbers_tenant')
    .on('phone_numbers')
    .columns(['tenant_id', 'position'])
    .execute()
  await db.schema.alterTable('contacts').addColumn('phone', 'text').execute()
  await sql`create unique index contacts_tenant_phone on contacts (tenant_id, phone)
    where phone is not null`.execute(db)
}
