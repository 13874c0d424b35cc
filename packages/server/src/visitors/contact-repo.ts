import { firstRow, prepare } from '../db/prepared.ts'
import type { ContactsTable, Db } from '../db/schema.ts'
import { newId, nowIso } from '../ids.ts'

/** A contact as the message path reads it (the caller's `phone` only where a call needs it). */
export type ContactRow = Omit<ContactsTable, 'phone'> & { phone?: string | null }

// The statements of every widget message are prepared (built and compiled once).

const byIdQuery = prepare((db: Db, p: { tenantId: string; id: string }) =>
  db.selectFrom('contacts').selectAll().where('tenant_id', '=', p.tenantId).where('id', '=', p.id),
)

export async function findContactById(
  db: Db,
  tenantId: string,
  id: string,
): Promise<ContactRow | undefined> {
  return firstRow(await byIdQuery(db, { tenantId, id }))
}

const byEmailQuery = prepare((db: Db, p: { tenantId: string; email: string }) =>
  db
    .selectFrom('contacts')
    .selectAll()
    .where('tenant_id', '=', p.tenantId)
    .where('email', '=', p.email),
)

/** The tenant's contact with this (lower-cased) email. */
export async function findContactByEmail(
  db: Db,
  tenantId: string,
  email: string,
): Promise<ContactRow | undefined> {
  return firstRow(await byEmailQuery(db, { tenantId, email: email.toLowerCase() }))
}

interface NewContact {
  id: string
  tenantId: string
  email: string | null
  createdAt: string
}

const insertContact = (db: Db, p: NewContact) =>
  db.insertInto('contacts').values({
    id: p.id,
    tenant_id: p.tenantId,
    email: p.email,
    name: null,
    created_at: p.createdAt,
    updated_at: p.createdAt,
  })

const insertQuery = prepare(insertContact)

const insertUnlessEmailTakenQuery = prepare((db: Db, p: NewContact) =>
  insertContact(db, p).onConflict((oc) => oc.columns(['tenant_id', 'email']).doNothing()),
)

/**
 * The tenant's contact for this email, created when missing. Safe under concurrency: the
 * (tenant_id, email) unique constraint decides, a losing insert does nothing and reads the winner.
 */
export async function findOrCreateContact(
  db: Db,
  tenantId: string,
  email: string,
): Promise<ContactRow> {
  const lower = email.toLowerCase()
  const existing = await findContactByEmail(db, tenantId, lower)
  if (existing) return existing
  await insertUnlessEmailTakenQuery(db, {
    id: newId('contact'),
    tenantId,
    email: lower,
    createdAt: nowIso(),
  })
  const row = await findContactByEmail(db, tenantId, lower)
  if (!row) throw new Error('contact vanished right after its insert')
  return row
}

/** A contact without an email, for a visitor who has not said who they are. */
export async function createAnonymousContact(db: Db, tenantId: string): Promise<ContactRow> {
  const now = nowIso()
  const row: ContactRow = {
    id: newId('contact'),
    tenant_id: tenantId,
    email: null,
    name: null,
    created_at: now,
    updated_at: now,
  }
  await insertQuery(db, { id: row.id, tenantId, email: null, createdAt: now })
  return row
}

/** Gives an anonymous contact its email (only if it still has none). Returns whether it did. */
export async function setAnonymousContactEmail(
  db: Db,
  tenantId: string,
  id: string,
  email: string,
): Promise<boolean> {
  const res = await db
    .updateTable('contacts')
    .set({ email: email.toLowerCase(), updated_at: nowIso() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('email', 'is', null)
    .executeTakeFirst()
  return Number(res.numUpdatedRows) === 1
}

/** Deletes an anonymous contact no conversation refers to any more. */
export async function deleteOrphanAnonymousContact(
  db: Db,
  tenantId: string,
  id: string,
): Promise<void> {
  await db
    .deleteFrom('contacts')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('email', 'is', null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('conversations').select('id').whereRef('contact_id', '=', 'contacts.id'),
        ),
      ),
    )
    .execute()
}
