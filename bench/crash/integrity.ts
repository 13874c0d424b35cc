import SQLite from 'better-sqlite3'
import pg from 'pg'
import { type BenchStore, storeDatabaseUrl } from '../lib/seed.ts'

/**
 * The database's own checks once every server is gone: SQLite `integrity_check` and
 * `foreign_key_check`; PostgreSQL amcheck on every B-tree index of the schema. `ok`, or what
 * they reported.
 */
export async function checkIntegrity(store: BenchStore): Promise<string> {
  if (store.dialect === 'sqlite') {
    const db = new SQLite(store.file)
    try {
      const ic = (db.pragma('integrity_check') as { integrity_check: string }[]).map(
        (r) => r.integrity_check,
      )
      const fk = db.pragma('foreign_key_check') as unknown[]
      return ic.join('; ') === 'ok' && fk.length === 0
        ? 'ok'
        : `integrity_check: ${ic.join('; ')}; ${fk.length} foreign key violations`
    } finally {
      db.close()
    }
  }
  const client = new pg.Client({ connectionString: storeDatabaseUrl(store) })
  await client.connect()
  try {
    return await pgIntegrity(client, store.schema)
  } finally {
    await client.end()
  }
}

/** amcheck (B-tree structure and every heap tuple indexed) on every index of the schema. */
async function pgIntegrity(client: pg.Client, schema: string): Promise<string> {
  await client.query(`create extension if not exists amcheck schema ${schema}`).catch(() => {})
  const ext = await client.query<{ nspname: string }>(
    "select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'amcheck'",
  )
  const where = ext.rows[0]?.nspname
  if (!where) return 'ok (amcheck unavailable: constraints only)'
  const indexes = await client.query<{ oid: string; name: string }>(
    `select c.oid::text as oid, c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid
     join pg_namespace n on n.oid = c.relnamespace join pg_am a on a.oid = c.relam
     where n.nspname = $1 and a.amname = 'btree'`,
    [schema],
  )
  const problems: string[] = []
  for (const ix of indexes.rows) {
    try {
      await client.query(`select "${where}".bt_index_check($1::oid::regclass, true)`, [ix.oid])
    } catch (err) {
      problems.push(`${ix.name}: ${(err as Error).message}`)
    }
  }
  return problems.length === 0 ? 'ok' : problems.join('; ')
}
