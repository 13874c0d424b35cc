import { createHash } from 'node:crypto'
import type { KnowledgeSourceError } from '@aurion/contract'
import type { Db } from '../../db/schema.ts'
import { nowIso } from '../../ids.ts'
import type { JobHandler } from '../../jobs/job-runner.ts'
import {
  countArticles,
  createArticle,
  deleteArticle,
  findArticle,
  updateArticle,
} from '../article-repo.ts'
import { articleBody } from '../import/article-body.ts'
import { type CrawledPage, crawlSite } from './crawler.ts'
import {
  deleteSourcePage,
  findSourceById,
  findSourcePage,
  listSourcePages,
  MAX_SOURCE_ERRORS,
  saveSourcePage,
  updateSourceProgress,
} from './source-repo.ts'

/** The job kind of a source sync (its `ref_id` is the source id). */
export const SYNC_SOURCE_JOB = 'knowledge.sync'

/** Articles per tenant (the same cap as articles written by hand). */
export const MAX_ARTICLES = 2000

export interface SyncDeps {
  db: Db
  allowPrivate: boolean
  delayMs: number
}

/**
 * The background job that syncs one knowledge source: crawls it, creates an article for each
 * new page, updates only the pages whose content changed (conditional requests first, then a
 * hash of the extracted content), removes the articles of pages that are gone (404/410), and
 * records progress on the source as it goes. A deleted source stops the sync.
 */
export function syncSourceJob(deps: SyncDeps): JobHandler {
  return async (job, { signal }) => {
    const source = await findSourceById(deps.db, job.ref_id)
    if (!source) return
    const { db } = deps
    const errors: KnowledgeSourceError[] = []
    let imported = 0
    let unchanged = 0
    let found = 0
    let gone = false
    const stop = new AbortController()
    const combined = AbortSignal.any([signal, stop.signal])
    const progress = async (extra: Parameters<typeof updateSourceProgress>[2] = {}) => {
      if (gone) return
      if (!(await updateSourceProgress(db, source.id, extra))) {
        gone = true // deleted meanwhile: stop writing
        stop.abort(new Error('Source deleted'))
      }
    }
    await progress({
      status: 'running',
      pages_found: 0,
      pages_imported: 0,
      pages_unchanged: 0,
      errors: [],
    })
    const record = async (page: CrawledPage) => {
      if (gone) return
      const stored = await findSourcePage(db, source.id, page.url)
      const now = nowIso()
      switch (page.kind) {
        case 'error':
          if (errors.length < MAX_SOURCE_ERRORS) errors.push({ url: page.url, error: page.error })
          break
        case 'gone':
          if (stored?.article_id) await deleteArticle(db, source.tenant_id, stored.article_id)
          if (stored) await deleteSourcePage(db, source.id, page.url)
          errors.push({ url: page.url, error: `HTTP ${page.status}: removed` })
          break
        case 'unchanged':
          unchanged++
          break
        case 'content': {
          const body = articleBody(page.doc.body)
          const title = (page.doc.title.trim() || page.url).slice(0, 200)
          const hash = createHash('sha256').update(`${title}\n${body}`).digest('hex')
          const existing = stored?.article_id
            ? await findArticle(db, source.tenant_id, stored.article_id)
            : undefined
          let articleId = existing?.id ?? null
          if (existing && stored?.content_hash === hash) {
            unchanged++
          } else if (existing) {
            await updateArticle(db, source.tenant_id, existing.id, { title, body })
            imported++
          } else if ((await countArticles(db, source.tenant_id)) >= MAX_ARTICLES) {
            errors.push({
              url: page.url,
              error: `Knowledge base is full (${MAX_ARTICLES} articles)`,
            })
            return progress({ errors })
          } else {
            const row = await createArticle(db, source.tenant_id, {
              title,
              body,
              tags: [],
              origin: { sourceId: source.id, url: page.url },
            })
            articleId = row.id
            imported++
          }
          await saveSourcePage(db, {
            source_id: source.id,
            url: page.url,
            article_id: articleId,
            etag: page.etag,
            last_modified: page.lastModified,
            content_hash: hash,
            updated_at: now,
          })
          break
        }
      }
      if (page.kind === 'unchanged' && stored)
        await saveSourcePage(db, { ...stored, etag: page.etag, last_modified: page.lastModified })
      await progress({ pages_imported: imported, pages_unchanged: unchanged, errors })
    }

    try {
      await crawlSite({
        type: source.type,
        url: source.url,
        maxPages: Number(source.max_pages),
        allowPrivate: deps.allowPrivate,
        delayMs: deps.delayMs,
        signal: combined,
        known: (await listSourcePages(db, source.id)).map((p) => p.url),
        validators: async (url) => {
          const p = await findSourcePage(db, source.id, url)
          return p?.article_id ? { etag: p.etag, lastModified: p.last_modified } : undefined
        },
        onPage: record,
        onFound: async (n) => {
          found = n
          await progress({ pages_found: n })
        },
      })
    } catch (err) {
      if (gone) return
      if (signal.aborted) throw err // the runner is closing: another run resumes the job
      errors.unshift({ url: source.url, error: (err as Error).message })
      await progress({ status: 'failed', errors, ...finished(source.resync_hours) })
      return
    }
    if (gone) return
    await progress({
      status: found > 0 && imported + unchanged === 0 && errors.length > 0 ? 'failed' : 'done',
      pages_found: found,
      pages_imported: imported,
      pages_unchanged: unchanged,
      errors,
      ...finished(source.resync_hours),
    })
  }
}

function finished(resyncHours: number | null) {
  const now = new Date()
  return {
    last_synced_at: now.toISOString(),
    next_sync_at:
      resyncHours === null
        ? null
        : new Date(now.getTime() + Number(resyncHours) * 3_600_000).toISOString(),
  }
}
