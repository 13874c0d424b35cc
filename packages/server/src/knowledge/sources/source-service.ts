import type { KnowledgeSourceInput } from '@aurion/contract'
import { KNOWLEDGE_SOURCE_LIMITS } from '@aurion/contract'
import type { Db } from '../../db/schema.ts'
import { invalidField } from '../../errors.ts'
import { nowIso } from '../../ids.ts'
import { deleteWaitingJobs, enqueueJob } from '../../jobs/job-repo.ts'
import { outboundUrlProblem } from '../../net/safe-fetch.ts'
import { deleteArticle } from '../article-repo.ts'
import {
  createSource,
  deleteSourceRow,
  findSource,
  listDueSources,
  type SourceRow,
  updateSourceProgress,
} from './source-repo.ts'
import { SYNC_SOURCE_JOB } from './sync-source.ts'

/** What the sources service needs: the database, the fetch rule, and a way to wake the runner. */
export interface SourceServiceDeps {
  db: Db
  allowPrivate: boolean
  /** Tells this instance's job runner that work was queued. */
  wake(): void
}

/**
 * Adds a website or sitemap source and queues its first sync (the job is stored in the same
 * transaction as the source). The URL must be one the crawler may fetch: 422 otherwise
 * (private and loopback targets only with `AURION_FETCH_ALLOW_PRIVATE=true`).
 */
export async function addSource(
  deps: SourceServiceDeps,
  tenantId: string,
  input: KnowledgeSourceInput,
): Promise<SourceRow> {
  const url = input.url.trim()
  const problem = outboundUrlProblem(url, deps.allowPrivate)
  if (problem) throw invalidField(['body', 'url'], `URL ${problem}`)
  const clean = new URL(url)
  clean.hash = ''
  const row = await deps.db.transaction().execute(async (trx) => {
    const source = await createSource(trx, tenantId, {
      type: input.type,
      url: clean.href,
      maxPages: input.max_pages ?? KNOWLEDGE_SOURCE_LIMITS.maxPages.default,
      resyncHours: input.resync_hours ?? null,
    })
    await enqueueJob(trx, { tenantId, kind: SYNC_SOURCE_JOB, refId: source.id })
    return source
  })
  deps.wake()
  return row
}

/**
 * Queues a sync of the tenant's source (`undefined` when there is no such source). A sync
 * already waiting is not queued twice; one running is followed by the new one.
 */
export async function requestSync(
  deps: SourceServiceDeps,
  tenantId: string,
  id: string,
): Promise<SourceRow | undefined> {
  const row = await deps.db.transaction().execute(async (trx) => {
    const source = await findSource(trx, tenantId, id)
    if (!source) return undefined
    await enqueueJob(trx, { tenantId, kind: SYNC_SOURCE_JOB, refId: source.id })
    if (source.status !== 'running')
      await updateSourceProgress(trx, source.id, { status: 'queued' })
    return findSource(trx, tenantId, id)
  })
  if (row) deps.wake()
  return row
}

/**
 * Deletes the tenant's source and every article it imported; `false` when there is no such
 * source. The row goes first, so a sync still running sees it gone and stops writing.
 */
export async function removeSource(
  deps: SourceServiceDeps,
  tenantId: string,
  id: string,
): Promise<boolean> {
  const removed = await deps.db.transaction().execute(async (trx) => {
    if (!(await deleteSourceRow(trx, tenantId, id))) return false
    await deleteWaitingJobs(trx, id)
    return true
  })
  if (!removed) return false
  const articles = await deps.db
    .selectFrom('knowledge_articles')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('source_id', '=', id)
    .execute()
  for (const a of articles) await deleteArticle(deps.db, tenantId, a.id)
  return true
}

/** Queues the periodic re-syncs that are due (the job runner calls this as it polls). */
export async function queueDueSyncs(db: Db): Promise<number> {
  const due = await listDueSources(db, nowIso())
  for (const source of due) {
    await db.transaction().execute(async (trx) => {
      await enqueueJob(trx, { tenantId: source.tenant_id, kind: SYNC_SOURCE_JOB, refId: source.id })
      await updateSourceProgress(trx, source.id, { status: 'queued', next_sync_at: null })
    })
  }
  return due.length
}
