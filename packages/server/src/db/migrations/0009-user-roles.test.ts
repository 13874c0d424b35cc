import { sql } from 'kysely'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createTestDatabase, forEachDialect } from '../../../test/helpers.ts'
import type { DbHandle } from '../connect.ts'
import { migrateToLatest } from '../migrate.ts'

const AT = '2026-12-01T08:00:00.000Z'

forEachDialect('migration 0009 (console roles, presence, invitations)', (dialect) => {
  let h: DbHandle
  beforeEach(async () => {
    h = await createTestDatabase(dialect, '0008-upload-retention')
  })
  afterEach(async () => h.close())

  it('every user who existed becomes an owner who chose to be online', async () => {
    await sql`insert into tenants (id, name, public_widget_key, identity_secret, config, created_at, updated_at)
      values ('t1', 'Acme', 'vwk_t1', 'secret', '{}', ${AT}, ${AT})`.execute(h.db)
    for (const id of ['u1', 'u2'])
      await sql`insert into admin_users (id, tenant_id, email, name, password_hash, created_at)
        values (${id}, 't1', ${`${id}@acme.test`}, null, 'x', ${AT})`.execute(h.db)
    await migrateToLatest(h)
    const rows = await h.db
      .selectFrom('admin_users')
      .select(['id', 'role', 'availability'])
      .orderBy('id')
      .execute()
    expect(rows).toEqual([
      { id: 'u1', role: 'owner', availability: 'online' },
      { id: 'u2', role: 'owner', availability: 'online' },
    ])
  })

  it('presence rows and invitations leave with their user and tenant; token hashes are unique', async () => {
    await migrateToLatest(h)
    await sql`insert into tenants (id, name, public_widget_key, identity_secret, config, created_at, updated_at)
      values ('t1', 'Acme', 'vwk_t1', 'secret', '{}', ${AT}, ${AT})`.execute(h.db)
    await sql`insert into admin_users (id, tenant_id, email, name, password_hash, created_at, role, availability)
      values ('u1', 't1', 'u1@acme.test', null, 'x', ${AT}, 'owner', 'online')`.execute(h.db)
    await h.db
      .insertInto('admin_presence')
      .values({ user_id: 'u1', tenant_id: 't1', tab_id: 'tab-1', seen_at: AT })
      .execute()
    const invite = {
      tenant_id: 't1',
      email: 'sam@acme.test',
      name: null,
      role: 'agent',
      invited_by: 'u1',
      created_at: AT,
      expires_at: AT,
      accepted_at: null,
    }
    await h.db
      .insertInto('admin_invites')
      .values({ id: 'i1', token_hash: 'h1', ...invite })
      .execute()
    await expect(
      h.db
        .insertInto('admin_invites')
        .values({ id: 'i2', token_hash: 'h1', ...invite })
        .execute(),
    ).rejects.toThrow()
    await sql`delete from admin_users where id = 'u1'`.execute(h.db)
    expect(await h.db.selectFrom('admin_presence').selectAll().execute()).toEqual([])
    // The invitation stays (its inviter is forgotten) until the tenant goes.
    const left = await h.db.selectFrom('admin_invites').select(['id', 'invited_by']).execute()
    expect(left).toEqual([{ id: 'i1', invited_by: null }])
    await sql`delete from tenants where id = 't1'`.execute(h.db)
    expect(await h.db.selectFrom('admin_invites').selectAll().execute()).toEqual([])
  })
})
