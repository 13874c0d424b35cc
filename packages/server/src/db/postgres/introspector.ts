import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type Kysely,
  PostgresDialect,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely'

/**
 * Kysely's PostgreSQL introspector (which its Migrator uses) reads every schema of the database;
 * a schema dropped by someone else mid-query makes it fail with "schema … does not exist". Ours
 * reads only the schema we work in, straight from pg_catalog.
 */
class CurrentSchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<unknown>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{
      name: string
    }>`select nspname as name from pg_catalog.pg_namespace`.execute(this.db)
    return rows.map((r) => ({ name: r.name }))
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{
      schema: string
      table: string
      kind: string
      column: string | null
      type: string | null
      not_null: boolean | null
      has_default: boolean | null
    }>`
      select n.nspname as schema, c.relname as table, c.relkind as kind, a.attname as column,
             t.typname as type, a.attnotnull as not_null, a.atthasdef as has_default
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      left join pg_catalog.pg_type t on t.oid = a.atttypid
      where n.nspname = current_schema() and c.relkind in ('r', 'v', 'p')
      order by c.relname, a.attnum`.execute(this.db)
    const tables = new Map<string, TableMetadata>()
    for (const r of rows) {
      let table = tables.get(r.table)
      if (!table) {
        table = { name: r.table, schema: r.schema, isView: r.kind === 'v', columns: [] }
        tables.set(r.table, table)
      }
      if (r.column !== null) {
        ;(table.columns as TableMetadata['columns'][number][]).push({
          name: r.column,
          dataType: r.type ?? 'unknown',
          isNullable: r.not_null === false,
          isAutoIncrementing: false,
          hasDefaultValue: r.has_default === true,
        })
      }
    }
    return [...tables.values()]
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() }
  }
}

/** PostgresDialect whose introspection (and so migrations) sees only the current schema. */
export class SchemaScopedPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db)
  }
}
