import { sql } from 'kysely'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { createTestDatabase, forEachDialect } from '../../../test/helpers.ts'
import type { DbHandle } from '../connect.ts'
import { migrateToLatest } from '../migrate.ts'

const AT = '2026-12-01T08:00:00.000Z'

forEachDialect('migration 0014 (Help Center)', (dialect) => {
  let h: DbHandle
  beforeEach(async () => {
    h = await createTestDatabase(dialect, '0008-upload-retention')
  })
  afterEach(async () => h.close())

  it('publishes the existing articles with unique slugs made from their titles', async () => {
    for (const t of ['t1', 't2'])
      await sql`insert into tenants (id, name, public_widget_key, identity_secret, config, created_at, updated_at)
        values (${t}, 'T', ${`vwk_${t}`}, 'secret', '{}', ${AT}, ${AT})`.execute(h.db)
    for (const [id, tenant, title] of [
      ['kb_1', 't1', 'Reset your password'],
      ['kb_2', 't1', 'Reset your password?'],
      ['kb_3', 't2', 'Reset your password'],
      ['kb_4', 't2', '¿Qué es esto?'],
    ] as const) {
      await sql`insert into knowledge_articles (id, tenant_id, title, body, tags, created_at, updated_at)
        values (${id}, ${tenant}, ${title}, 'b', '[]', ${AT}, ${AT})`.execute(h.db)
    }
    expect(await migrateToLatest(h)).toContain('0014-help-center')
    const rows = await h.db
      .selectFrom('knowledge_articles')
      .select(['id', 'slug', 'status', 'category', 'helpful_count'])
      .orderBy('id')
      .execute()
    expect(rows.map((r) => ({ ...r, helpful_count: Number(r.helpful_count) }))).toEqual([
      {
        id: 'kb_1',
        slug: 'reset-your-password',
        status: 'published',
        category: null,
        helpful_count: 0,
      },
      {
        id: 'kb_2',
        slug: 'reset-your-password-2',
        status: 'published',
        category: null,
        helpful_count: 0,
      },
      {
        id: 'kb_3',
        slug: 'reset-your-password',
        status: 'published',
        category: null,
        helpful_count: 0,
      },
      { id: 'kb_4', slug: 'que-es-esto', status: 'published', category: null, helpful_count: 0 },
    ])
    // The slug is unique per tenant.
    await expect(
      sql`update knowledge_articles set slug = 'reset-your-password' where id = 'kb_2'`.execute(
        h.db,
      ),
    ).rejects.toThrow()
  })
})
