import { afterEach, beforeEach, expect, it } from 'vitest'
import { createTestDatabase, createTestTenant, forEachDialect } from '../../test/helpers.ts'
import type { DbHandle } from '../db/connect.ts'
import { claimJob, enqueueJob, findJob, finishJob } from './job-repo.ts'
import { createJobRunner, type JobRunner } from './job-runner.ts'

forEachDialect('durable jobs', (dialect) => {
  let database: DbHandle
  let tenantId: string
  const runners: JobRunner[] = []
  beforeEach(async () => {
    database = await createTestDatabase(dialect)
    tenantId = (await createTestTenant(database.db)).tenantId
  })
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.close()))
    await database.close()
  })

  it('keeps one queued job per ref: a second enqueue returns the waiting one', async () => {
    const a = await enqueueJob(database.db, { tenantId, kind: 'k', refId: 'r1' })
    const b = await enqueueJob(database.db, { tenantId, kind: 'k', refId: 'r1' })
    expect(b.id).toBe(a.id)
    const other = await enqueueJob(database.db, { tenantId, kind: 'k', refId: 'r2' })
    expect(other.id).not.toBe(a.id)
  })

  it('never claims a job twice, nor a second job of a ref that is running', async () => {
    await enqueueJob(database.db, { tenantId, kind: 'k', refId: 'r1' })
    const first = await claimJob(database.db, dialect, ['k'], 60_000)
    expect(first?.row.status).toBe('running')
    expect(first?.row.attempts).toBe(1)
    // A new sync for the same ref waits while the first runs.
    await enqueueJob(database.db, { tenantId, kind: 'k', refId: 'r1' })
    expect(await claimJob(database.db, dialect, ['k'], 60_000)).toBeUndefined()
    expect(await finishJob(database.db, first!, { status: 'done' })).toBe(true)
    const second = await claimJob(database.db, dialect, ['k'], 60_000)
    expect(second?.row.id).not.toBe(first?.row.id)
  })

  it('claims concurrently without handing out the same job (SKIP LOCKED on PostgreSQL)', async () => {
    for (let i = 0; i < 6; i++)
      await enqueueJob(database.db, { tenantId, kind: 'k', refId: `r${i}` })
    const claims = await Promise.all(
      Array.from({ length: 8 }, () => claimJob(database.db, dialect, ['k'], 60_000)),
    )
    const ids = claims.filter((c) => c !== undefined).map((c) => c.row.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.length).toBeLessThanOrEqual(6)
    // Whatever a concurrent claim skipped is still there for the next one.
    let more = 0
    while (await claimJob(database.db, dialect, ['k'], 60_000)) more++
    expect(ids.length + more).toBe(6)
  })

  it('re-queues a job whose runner died once its lease expires; the old lease can no longer finish it', async () => {
    const job = await enqueueJob(database.db, { tenantId, kind: 'k', refId: 'r1' })
    const dead = await claimJob(database.db, dialect, ['k'], 1)
    expect(dead?.row.id).toBe(job.id)
    // Lease of 1 ms: expired as soon as the clock moves on.
    const start = Date.now()
    while (Date.now() - start < 5) {}
    const resumed = await claimJob(database.db, dialect, ['k'], 60_000)
    expect(resumed?.row.id).toBe(job.id)
    expect(resumed?.row.attempts).toBe(2)
    expect(await finishJob(database.db, dead!, { status: 'done' })).toBe(false)
    expect(await finishJob(database.db, resumed!, { status: 'done' })).toBe(true)
    expect((await findJob(database.db, job.id))?.status).toBe('done')
  })

  it('runs queued jobs in the background, records failures, and picks up a restarted job', async () => {
    const seen: string[] = []
    const runner = createJobRunner({
      db: database.db,
      dialect,
      handlers: {
        ok: async (job) => {
          seen.push(job.ref_id)
        },
        bad: async () => {
          throw new Error('site unreachable')
        },
      },
    })
    runners.push(runner)
    const ok = await enqueueJob(database.db, { tenantId, kind: 'ok', refId: 'a' })
    const bad = await enqueueJob(database.db, { tenantId, kind: 'bad', refId: 'b' })
    // Left running by a process that died (lease already expired).
    await database.db
      .insertInto('jobs')
      .values({
        ...ok,
        id: 'job_orphan',
        ref_id: 'c',
        status: 'running',
        attempts: 1,
        lease_token: 'gone',
        lease_expires_at: new Date(Date.now() - 1000).toISOString(),
      })
      .execute()
    runner.start()
    await runner.idle()
    expect(seen.sort()).toEqual(['a', 'c'])
    expect((await findJob(database.db, ok.id))?.status).toBe('done')
    const failed = await findJob(database.db, bad.id)
    expect(failed?.status).toBe('failed')
    expect(failed?.last_error).toBe('site unreachable')
    expect((await findJob(database.db, 'job_orphan'))?.attempts).toBe(2)
  })

  it('on close aborts a running job without finishing it, so another runner resumes it', async () => {
    let started!: () => void
    const began = new Promise<void>((r) => {
      started = r
    })
    const runner = createJobRunner({
      db: database.db,
      dialect,
      handlers: {
        slow: (_job, { signal }) =>
          new Promise((_, reject) => {
            started()
            signal.addEventListener('abort', () => reject(signal.reason))
          }),
      },
    })
    const job = await enqueueJob(database.db, { tenantId, kind: 'slow', refId: 'x' })
    runner.start()
    await began
    await runner.close()
    const row = await findJob(database.db, job.id)
    expect(row?.status).toBe('running')
    expect(row?.lease_token).not.toBeNull()
  })
})
