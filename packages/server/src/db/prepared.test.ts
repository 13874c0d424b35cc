import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestDatabase, forEachDialect } from '../../test/helpers.ts'
import { createTenant } from '../tenants/tenant-repo.ts'
import type { DbHandle } from './connect.ts'
import { firstRow, prepare } from './prepared.ts'
import type { Db } from './schema.ts'

const contactsOf = prepare((db: Db, tenantId: string, limit: number) =>
  db
    .selectFrom('contacts')
    .select(['id', 'email'])
    .where('tenant_id', '=', tenantId)
    // A constant inside the query stays what it was.
    .where('name', '=', 'Ada')
    .orderBy('id')
    .limit(limit),
)

const insertContact = prepare((db: Db, id: string, tenantId: string, email: string, at: string) =>
  db.insertInto('contacts').values({
    id,
    tenant_id: tenantId,
    email,
    name: 'Ada',
    // One argument used twice.
    created_at: at,
    updated_at: at,
  }),
)

forEachDialect('prepared queries', (dialect) => {
  let h: DbHandle
  let tenantId: string
  beforeAll(async () => {
    h = await createTestDatabase(dialect)
    tenantId = (await createTenant(h.db, { name: 'Prepared' })).id
  })
  afterAll(async () => h.close())

  it('runs with fresh arguments each time, on the database and in transactions', async () => {
    await insertContact(h.db, 'contact_a', tenantId, 'a@example.com', '2026-01-01T00:00:00.000Z')
    await h.db.transaction().execute(async (trx) => {
      await insertContact(trx, 'contact_b', tenantId, 'b@example.com', '2026-01-02T00:00:00.000Z')
      // Its own transaction sees the row before the commit.
      expect((await contactsOf(trx, tenantId, 10)).rows.map((r) => r.id)).toEqual([
        'contact_a',
        'contact_b',
      ])
    })
    const row = await h.db
      .selectFrom('contacts')
      .selectAll()
      .where('id', '=', 'contact_b')
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      tenant_id: tenantId,
      email: 'b@example.com',
      name: 'Ada',
      created_at: '2026-01-02T00:00:00.000Z',
      updated_at: '2026-01-02T00:00:00.000Z',
    })
    expect((await contactsOf(h.db, tenantId, 1)).rows).toEqual([
      { id: 'contact_a', email: 'a@example.com' },
    ])
    expect(firstRow(await contactsOf(h.db, 'tenant_other', 10))).toBeUndefined()
  })

  it('rolls back with its transaction', async () => {
    await expect(
      h.db.transaction().execute(async (trx) => {
        await insertContact(trx, 'contact_c', tenantId, 'c@example.com', '2026-01-03T00:00:00.000Z')
        throw new Error('abort')
      }),
    ).rejects.toThrow('abort')
    expect((await contactsOf(h.db, tenantId, 10)).rows.map((r) => r.id)).not.toContain('contact_c')
  })

  it('refuses an argument that shapes the query or is not used', async () => {
    const unused = prepare((db: Db, tenantId: string, _ignored: string) =>
      db.selectFrom('contacts').select('id').where('tenant_id', '=', tenantId),
    )
    await expect(unused(h.db, tenantId, 'x')).rejects.toThrow(/uses 1 of its 2 arguments/)
    const shaping = prepare((db: Db, column: string) =>
      db
        .selectFrom('contacts')
        .select('id')
        .where(column as 'email', '=', 'x'),
    )
    await expect(shaping(h.db, 'email')).rejects.toThrow(/argument ended up in its SQL text/)
  })
})
