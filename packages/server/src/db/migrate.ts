import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely'
import type { DbHandle } from './connect.ts'
import * as m0001 from './migrations/0001-initial.ts'
import * as m0002 from './migrations/0002-tenant-origins.ts'
import * as m0003 from './migrations/0003-knowledge-revisions.ts'
import * as m0004 from './migrations/0004-conversation-ownership.ts'
import * as m0005voice from './migrations/0005-voice-agent-workers.ts'
import * as m0006 from './migrations/0006-message-unique-indexes.ts'
import * as m0007owner from './migrations/0007-visitor-thread-owner.ts'
import * as m0008uploads from './migrations/0008-upload-retention.ts'
import * as m0009roles from './migrations/0009-user-roles.ts'
import * as m0010handoff from './migrations/0010-human-handoff.ts'
import * as m0011privacy from './migrations/0011-privacy.ts'
import * as m0013knowledge from './migrations/0013-knowledge-sources-jobs.ts'
import * as m0014helpCenter from './migrations/0014-help-center.ts'
import * as m0015webhooks from './migrations/0015-webhooks.ts'
import * as m0016phone from './migrations/0016-phone-lines.ts'
import * as m0020feedback from './migrations/0020-feedback.ts'
import * as m0021analytics from './migrations/0021-analytics-indexes.ts'
import * as m0022twoFactor from './migrations/0022-two-factor.ts'
import * as m0023sessions from './migrations/0023-session-details.ts'
import * as m0024sso from './migrations/0024-sso.ts'
import * as m0028embeddings from './migrations/0028-passage-embeddings.ts'
import * as m0030stats from './migrations/0030-conversation-stats.ts'
import * as m0031rollups from './migrations/0031-analytics-rollups.ts'
import * as m0032unanswered from './migrations/0032-unanswered-index-condition.ts'
import * as m0033fanout from './migrations/0033-webhook-fanout.ts'
import * as m0034activity from './migrations/0034-conversation-activity.ts'
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
  '0007-visitor-thread-owner': m0007owner,
  '0008-upload-retention': m0008uploads,
  '0009-user-roles': m0009roles,
  '0010-human-handoff': m0010handoff,
  '0011-privacy': m0011privacy,
  '0013-knowledge-sources-jobs': m0013knowledge,
  '0014-help-center': m0014helpCenter,
  '0015-webhooks': m0015webhooks,
  '0016-phone-lines': m0016phone,
  '0020-feedback': m0020feedback,
  '0021-analytics-indexes': m0021analytics,
  '0022-two-factor': m0022twoFactor,
  '0023-session-details': m0023sessions,
  '0024-sso': m0024sso,
  '0028-passage-embeddings': m0028embeddings,
  '0030-conversation-stats': m0030stats,
  '0031-analytics-rollups': m0031rollups,
  '0032-unanswered-index-condition': m0032unanswered,
  '0033-webhook-fanout': m0033fanout,
  '0034-conversation-activity': m0034activity,
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
    // Migration numbers are handed out to parallel work ahead of time: a lower number may land
    // after a higher one already ran (each is independent of the ones numbered between).
    allowUnorderedMigrations: true,
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
