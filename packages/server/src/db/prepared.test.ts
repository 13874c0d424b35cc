import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestDatabase, forEachDialect } from '../../test/helpers.ts'
import { createTenant } from '../tenants/tenant-repo.ts'
import type { DbHandle } from './connect.ts'
import { firstRow, prepare, prepareInsert } from './prepared.ts'
import type { Db } from './schema.ts'

const contactsOf = prepare((db: Db, p: { tenantId: string; limit: number }) =>
  db
    .selectFrom('contacts')
    .select(['id', 'email'])
    .where('tenant_id', '=', p.tenantId)
    // A constant inside the query stays what it was.
    .where('name', '=', 'Ada')
    .orderBy('id')
    .limit(p.limit),
)

const insertContact = prepare(
  (
    db: Db,
    { id, tenantId, email, at }: { id: string; tenantId: string; email: string; at: string },
  ) =>
    db.insertInto('contacts').values({
      id,
      tenant_id: tenantId,
      email,
      name: 'Ada',
      // One parameter used twice.
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

  it('runs with fresh parameters each time, on the database and in transactions', async () => {
    await insertContact(h.db, {
      id: 'contact_a',
      tenantId,
      email: 'a@example.com',
      at: '2026-01-01T00:00:00.000Z',
    })
    await h.db.transaction().execute(async (trx) => {
      // The same parameters in another order: bound by name.
      await insertContact(trx, {
        at: '2026-01-02T00:00:00.000Z',
        email: 'b@example.com',
        tenantId,
        id: 'contact_b',
      })
      // Its own transaction sees the row before the commit.
      expect((await contactsOf(trx, { tenantId, limit: 10 })).rows.map((r) => r.id)).toEqual([
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
    expect((await contactsOf(h.db, { tenantId, limit: 1 })).rows).toEqual([
      { id: 'contact_a', email: 'a@example.com' },
    ])
    expect(
      firstRow(await contactsOf(h.db, { tenantId: 'tenant_other', limit: 10 })),
    ).toBeUndefined()
  })

  it('rolls back with its transaction', async () => {
    await expect(
      h.db.transaction().execute(async (trx) => {
        await insertContact(trx, {
          id: 'contact_c',
          tenantId,
          email: 'c@example.com',
          at: '2026-01-03T00:00:00.000Z',
        })
        throw new Error('abort')
      }),
    ).rejects.toThrow('abort')
    expect((await contactsOf(h.db, { tenantId, limit: 10 })).rows.map((r) => r.id)).not.toContain(
      'contact_c',
    )
  })

  it('refuses a parameter that shapes the query or is not used', async () => {
    const unused = prepare((db: Db, p: { tenantId: string; ignored: string }) =>
      db.selectFrom('contacts').select('id').where('tenant_id', '=', p.tenantId),
    )
    await expect(unused(h.db, { tenantId, ignored: 'x' })).rejects.toThrow(
      /does not use its parameters ignored/,
    )
    const shaping = prepare((db: Db, p: { column: string }) =>
      db
        .selectFrom('contacts')
        .select('id')
        .where(p.column as 'email', '=', 'x'),
    )
    await expect(shaping(h.db, { column: 'email' })).rejects.toThrow(
      /parameter ended up in its SQL text/,
    )
  })

  it('tells the key an insert generated, on either dialect', async () => {
    const conversation = {
      id: 'conv_prepared',
      tenant_id: tenantId,
      contact_id: null,
      subject: 's',
      status: 'open',
      contact_verified: 0,
      created_at: '2026-01-04T00:00:00.000Z',
      updated_at: '2026-01-04T00:00:00.000Z',
    }
    await h.db.insertInto('conversations').values(conversation).execute()
    await h.db
      .insertInto('threads')
      .values({
        id: 'thread_prepared',
        tenant_id: tenantId,
        conversation_id: conversation.id,
        source_thread_id: null,
        created_at: conversation.created_at,
      })
      .execute()
    const insertMessage = prepareInsert(
      (db: Db, p: { id: string; body: string }) =>
        db.insertInto('messages').values({
          id: p.id,
          tenant_id: tenantId,
          conversation_id: conversation.id,
          thread_id: 'thread_prepared',
          sender_type: 'contact',
          body: p.body,
          source_message_id: null,
          reply_to_id: null,
          channel: 'chat',
          metadata: null,
          created_at: conversation.created_at,
        }),
      'seq',
    )
    const first = await insertMessage(h.db, { id: 'msg_p1', body: 'one' })
    const second = await h.db
      .transaction()
      .execute((trx) => insertMessage(trx, { id: 'msg_p2', body: 'two' }))
    expect(typeof first).toBe('number')
    expect(second).toBeGreaterThan(first)
    const rows = await h.db
      .selectFrom('messages')
      .select(['id', 'seq'])
      .where('tenant_id', '=', tenantId)
      .orderBy('seq')
      .execute()
    expect(rows.map((r) => [r.id, Number(r.seq)])).toEqual([
      ['msg_p1', first],
      ['msg_p2', second],
    ])
  })
})
