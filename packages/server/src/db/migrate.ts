import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely'
import type { DbHandle } from './connect.ts'
import * as m0001 from './migrations/0001-initial.ts'
import * as m0002 from './migrations/0002-tenant-origins.ts'
import * as m0003 from './migrations/0003-knowledge-revisions.ts'
import * as m0004 from './migrations/0004-conversation-ownership.ts'
import * as m0005voice from './migrations/0005-voice-agent-workers.ts'
import * as m0006 from './migrations/0006-message-unique-indexes.ts'
import type { Dialect } from './schema.ts'

type Step = { up(db: Kysely<unknown>, dialect: Dialect): Promise<void> }

/** Ordered by name. Add a file under `migrations/` and list it here; never edit a released one. */
const MIGRATIONS: Record<string, Step> = {
  '0001-initial': m0001,
  '0002-tenant-origins': m0002,
  '0003-knowledge-revisions': m0003,
  '0004-conversation-ownership': m0004,
  '0005-voice-agent-workers': m0005voice,
  '0006-message-unique-indexes': m0006,
}

class InlineProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {}
    for (const [name, step] of Object.entries(MIGRATIONS)) {
      out[name] = { up: (db) => step.up(db, this.dialect) }
    }
    return out
  }
}

/**
 * Applies pending migrations; returns the names applied. Safe to run from several processes.
 * `upTo` stops after that migration (tests of a migration over data in the previous schema).
 */
export async function migrateToLatest(handle: DbHandle, upTo?: string): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one: with another
  // schema of the same database already migrated (a second app, parallel tests), it would skip
  // creating them here and then fail to find them. Pin them to the schema we work in.
  let migrationTableSchema: string | undefined
  if (handle.dialect === 'postgres') {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
      handle.db,
    )
    migrationTableSchema = rows[0]?.schema
  }
  const migrator = new Migrator({
    db: handle.db,
    provider: new InlineProvider(handle.dialect),
    ...(migrationTableSchema !== undefined ? { migrationTableSchema } : {}),
  })
  // Kysely takes no lock on SQLite (it assumes one connection), but the CLI and a starting server
  // may migrate the same file at once: an immediate transaction makes the second wait for the
  // first and then see its work. SQLite DDL is transactional, so a failure leaves nothing behind.
  const sqlite = handle.dialect === 'sqlite'
  if (sqlite) await sql`begin immediate`.execute(handle.db)
  let outcome: Awaited<ReturnType<Migrator['migrateToLatest']>>
  try {
    outcome = await (upTo === undefined ? migrator.migrateToLatest() : migrator.migrateTo(upTo))
  } catch (err) {
    if (sqlite) await sql`rollback`.execute(handle.db)
    throw err
  }
  const { error, results } = outcome
  if (sqlite) await sql.raw(error ? 'rollback' : 'commit').execute(handle.db)
  if (error) throw error instanceof Error ? error : new Error(String(error))
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
