import { describe, expect, it } from 'vitest'
import { createTestDatabase, testDialects } from '../../../test/helpers.ts'
import { migrateToLatest } from '../migrate.ts'

const pg = testDialects().includes('postgres')

describe.runIf(pg)('PostgreSQL introspection scoped to the current schema', () => {
  it('lists only this schema’s tables, so other schemas come and go without breaking migrations', async () => {
    const mine = await createTestDatabase('postgres')
    const other = await createTestDatabase('postgres')
    try {
      const tables = await mine.db.introspection.getTables({ withInternalKyselyTables: true })
      const [{ schema }] = (await mine.db
        .selectNoFrom((eb) => eb.fn<string>('current_schema', []).as('schema'))
        .execute()) as [{ schema: string }]
      expect(tables.length).toBeGreaterThan(5)
      expect(new Set(tables.map((t) => t.schema))).toEqual(new Set([schema]))
      expect(tables.map((t) => t.name)).toContain('kysely_migration')
      expect(tables.find((t) => t.name === 'tenants')?.columns.map((c) => c.name)).toContain(
        'public_widget_key',
      )

      // Schemas dropped and created while we migrate again: no "schema … does not exist".
      const churn = Array.from({ length: 4 }, async () => {
        const d = await createTestDatabase('postgres')
        await d.close()
      })
      await Promise.all([migrateToLatest(mine), ...churn])
    } finally {
      await other.close()
      await mine.close()
    }
  })
})
