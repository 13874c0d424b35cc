import { sql } from 'kysely'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createTestDatabase, forEachDialect } from '../../../test/helpers.ts'
import type { DbHandle } from '../connect.ts'
import { migrateToLatest } from '../migrate.ts'

const AT = '2026-12-01T08:00:00.000Z'

forEachDialect('migration 0007 (visitor thread owner)', (dialect) => {
  let h: DbHandle
  beforeEach(async () => {
    h = await createTestDatabase(dialect, '0006-message-unique-indexes')
  })
  afterEach(async () => h.close())

  it('labels the existing unproven conversations with their contact’s email as a claim, and keeps proven ones', async () => {
    await sql`insert into tenants (id, name, public_widget_key, identity_secret, config, created_at, updated_at)
      values ('t1', 'T', 'vwk_t1', 'secret', '{}', ${AT}, ${AT})`.execute(h.db)
    for (const [id, email] of [
      ['c-mail', 'jane@example.com'],
      ['c-anon', null],
    ] as const) {
      await sql`insert into contacts (id, tenant_id, email, name, created_at, updated_at)
        values (${id}, 't1', ${email}, null, ${AT}, ${AT})`.execute(h.db)
    }
    for (const [id, contact, verified] of [
      ['conv-claimed', 'c-mail', 0],
      ['conv-proven', 'c-mail', 1],
      ['conv-anon', 'c-anon', 0],
      ['conv-nobody', null, 0],
    ] as const) {
      await sql`insert into conversations (id, tenant_id, contact_id, subject, status, contact_verified, created_at, updated_at)
        values (${id}, 't1', ${contact}, 's', 'open', ${verified}, ${AT}, ${AT})`.execute(h.db)
    }
    expect(await migrateToLatest(h)).toContain('0007-visitor-thread-owner')
    const rows = await h.db
      .selectFrom('conversations')
      .select(['id', 'contact_id', 'contact_verified', 'claimed_email', 'owner_token_id'])
      .orderBy('id')
      .execute()
    expect(rows.map((r) => ({ ...r, contact_verified: Number(r.contact_verified) }))).toEqual([
      {
        id: 'conv-anon',
        contact_id: 'c-anon',
        contact_verified: 0,
        claimed_email: null,
        owner_token_id: null,
      },
      {
        id: 'conv-claimed',
        contact_id: 'c-mail',
        contact_verified: 0,
        claimed_email: 'jane@example.com',
        owner_token_id: null,
      },
      {
        id: 'conv-nobody',
        contact_id: null,
        contact_verified: 0,
        claimed_email: null,
        owner_token_id: null,
      },
      {
        id: 'conv-proven',
        contact_id: 'c-mail',
        contact_verified: 1,
        claimed_email: null,
        owner_token_id: null,
      },
    ])
    // One live code per token.
    const code = {
      tenant_id: 't1',
      token_id: 'tok',
      email: 'jane@example.com',
      code_hash: 'h',
      expires_at: AT,
      created_at: AT,
    }
    await h.db.insertInto('visitor_email_codes').values(code).execute()
    await expect(h.db.insertInto('visitor_email_codes').values(code).execute()).rejects.toThrow()
  })
})
