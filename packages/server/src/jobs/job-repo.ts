import { randomBytes } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { Database, Db, Dialect, JobsTable } from '../db/schema.ts'
import { newId, nowIso } from '../ids.ts'

export type JobRow = JobsTable

/** What a caller asks to run in the background. */
export interface NewJob {
  tenantId: string
  kind: string
  /** What the job works on: one job per ref runs at a time, one more may wait queued. */
  refId: string
  payload?: Record<string, unknown>
  /** Not before this time (ISO); default now. */
  runAfter?: string
}

/**
 * Queues a job unless one for the same kind and ref is already queued (then that one is
 * returned: a second "sync now" while one waits adds nothing). Usable inside a transaction, so
 * the job is stored with the change that caused it.
 */
export async function enqueueJob(db: Kysely<Database>, job: NewJob): Promise<JobRow> {
  const now = nowIso()
  const row: JobRow = {
    id: newId('job'),
    tenant_id: job.tenantId,
    kind: job.kind,
    ref_id: job.refId,
    payload: JSON.stringify(job.payload ?? {}),
    status: 'queued',
    attempts: 0,
    lease_token: null,
    lease_expires_at: null,
    run_after: job.runAfter ?? now,
    last_error: null,
    created_at: now,
    updated_at: now,
    finished_at: null,
  }
  await db
    .insertInto('jobs')
    .values(row)
    .onConflict((oc) =>
      // The predicate must read as the partial index's does (a bound parameter would not match).
      oc.columns(['kind', 'ref_id']).where(sql<boolean>`status = 'queued'`).doNothing(),
    )
    .execute()
  const stored = await db
    .selectFrom('jobs')
    .selectAll()
    .where('kind', '=', job.kind)
    .where('ref_id', '=', job.refId)
    .where('status', '=', sql.lit('queued'))
    .executeTakeFirst()
  return stored ?? row
}

/** A claimed job: the row and the token that proves the lease is still this runner's. */
export interface ClaimedJob {
  row: JobRow
  token: string
}

/**
 * Claims the next runnable job of the given kinds: queued and due, or running with an expired
 * lease (its runner died). Never one whose ref has another job running under a live lease. On
 * PostgreSQL `FOR UPDATE SKIP LOCKED` lets every instance claim at once without two getting the
 * same job; SQLite has one writer, so the single statement is atomic as it is.
 */
export async function claimJob(
  db: Db,
  dialect: Dialect,
  kinds: readonly string[],
  leaseMs: number,
): Promise<ClaimedJob | undefined> {
  if (kinds.length === 0) return undefined
  const now = nowIso()
  const expires = new Date(Date.now() + leaseMs).toISOString()
  const token = randomBytes(16).toString('hex')
  const lock = dialect === 'postgres' ? sql`for update skip locked` : sql``
  const { rows } = await sql<JobRow>`
    update jobs set status = 'running', lease_token = ${token}, lease_expires_at = ${expires},
      attempts = attempts + 1, updated_at = ${now}
    where id = (
      select j.id from jobs j
      where j.kind in (${sql.join(kinds)})
        and ((j.status = 'queued' and j.run_after <= ${now})
          or (j.status = 'running' and j.lease_expires_at < ${now}))
        and not exists (
          select 1 from jobs r where r.ref_id = j.ref_id and r.id <> j.id
            and r.status = 'running' and r.lease_expires_at >= ${now})
      order by j.run_after, j.id
      limit 1
      ${lock}
    )
    returning *`.execute(db)
  const row = rows[0]
  return row ? { row: { ...row, attempts: Number(row.attempts) }, token } : undefined
}

/** Extends a claimed job's lease; `false` when the lease was lost (expired and taken over). */
export async function renewLease(db: Db, job: ClaimedJob, leaseMs: number): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({ lease_expires_at: new Date(Date.now() + leaseMs).toISOString(), updated_at: nowIso() })
    .where('id', '=', job.row.id)
    .where('lease_token', '=', job.token)
    .where('status', '=', sql.lit('running'))
    .executeTakeFirst()
  return Number(res.numUpdatedRows) > 0
}

/** Ends a claimed job as done or failed; `false` when its lease had been lost. */
export async function finishJob(
  db: Db,
  job: ClaimedJob,
  outcome: { status: 'done' } | { status: 'failed'; error: string },
): Promise<boolean> {
  const now = nowIso()
  const res = await db
    .updateTable('jobs')
    .set({
      status: outcome.status,
      last_error: outcome.status === 'failed' ? outcome.error.slice(0, 2000) : null,
      lease_token: null,
      lease_expires_at: null,
      finished_at: now,
      updated_at: now,
    })
    .where('id', '=', job.row.id)
    .where('lease_token', '=', job.token)
    .executeTakeFirst()
  return Number(res.numUpdatedRows) > 0
}

/** The job's current row. */
export async function findJob(db: Db, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Deletes the jobs of a ref that are not running (its subject is gone). */
export async function deleteWaitingJobs(db: Kysely<Database>, refId: string): Promise<void> {
  await db.deleteFrom('jobs').where('ref_id', '=', refId).where('status', '!=', 'running').execute()
}

/** Finished jobs older than `before` (ISO) are deleted: the table holds recent history only. */
export async function pruneFinishedJobs(db: Db, before: string): Promise<void> {
  await db
    .deleteFrom('jobs')
    .where('status', 'in', ['done', 'failed'])
    .where('finished_at', '<', before)
    .execute()
}
