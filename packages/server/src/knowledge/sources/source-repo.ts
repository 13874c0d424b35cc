import type {
  KnowledgeSource,
  KnowledgeSourceError,
  KnowledgeSourcePage,
  KnowledgeSourceType,
} from '@aurion/contract'
import type { Kysely } from 'kysely'
import type {
  Database,
  Db,
  KnowledgeSourcePagesTable,
  KnowledgeSourcesTable,
} from '../../db/schema.ts'
import { newId, nowIso } from '../../ids.ts'

export type SourceRow = KnowledgeSourcesTable
export type SourcePageRow = KnowledgeSourcePagesTable

/** Errors kept per sync (a broken site must not grow a row without bound). */
export const MAX_SOURCE_ERRORS = 200

/** The API shape of a stored source (`pages` only when given). */
export function toSource(
  row: SourceRow,
  pages?: (SourcePageRow & { title: string | null })[],
): KnowledgeSource {
  return {
    id: row.id,
    type: row.type,
    url: row.url,
    max_pages: Number(row.max_pages),
    resync_hours: row.resync_hours === null ? null : Number(row.resync_hours),
    status: row.status,
    pages_found: Number(row.pages_found),
    pages_imported: Number(row.pages_imported),
    pages_unchanged: Number(row.pages_unchanged),
    errors: parseErrors(row.errors),
    last_synced_at: row.last_synced_at,
    next_sync_at: row.next_sync_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
    ...(pages
      ? {
          pages: pages.map<KnowledgeSourcePage>((p) => ({
            url: p.url,
            article_id: p.article_id,
            title: p.title,
            updated_at: p.updated_at,
          })),
        }
      : {}),
  }
}

function parseErrors(json: string): KnowledgeSourceError[] {
  try {
    const v: unknown = JSON.parse(json)
    return Array.isArray(v)
      ? v.filter(
          (e): e is KnowledgeSourceError =>
            typeof e === 'object' &&
            e !== null &&
            typeof (e as KnowledgeSourceError).url === 'string' &&
            typeof (e as KnowledgeSourceError).error === 'string',
        )
      : []
  } catch {
    return []
  }
}

/** Stores a new source, queued for its first sync. */
export async function createSource(
  db: Kysely<Database>,
  tenantId: string,
  input: { type: KnowledgeSourceType; url: string; maxPages: number; resyncHours: number | null },
): Promise<SourceRow> {
  const now = nowIso()
  const row: SourceRow = {
    id: newId('ks'),
    tenant_id: tenantId,
    type: input.type,
    url: input.url,
    max_pages: input.maxPages,
    resync_hours: input.resyncHours,
    status: 'queued',
    pages_found: 0,
    pages_imported: 0,
    pages_unchanged: 0,
    errors: '[]',
    last_synced_at: null,
    next_sync_at: null,
    created_at: now,
    updated_at: now,
  }
  await db.insertInto('knowledge_sources').values(row).execute()
  return row
}

/** The tenant's source, or `undefined` (also for another tenant's id). */
export async function findSource(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<SourceRow | undefined> {
  return db
    .selectFrom('knowledge_sources')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst()
}

/** A source by id alone (the crawl job, which carries its tenant). */
export async function findSourceById(db: Db, id: string): Promise<SourceRow | undefined> {
  return db.selectFrom('knowledge_sources').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The tenant's sources, newest first. */
export async function listSources(db: Db, tenantId: string): Promise<SourceRow[]> {
  return db
    .selectFrom('knowledge_sources')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute()
}

/** Sources whose periodic re-sync is due. */
export async function listDueSources(db: Db, now: string, limit = 20): Promise<SourceRow[]> {
  return db
    .selectFrom('knowledge_sources')
    .selectAll()
    .where('next_sync_at', '<=', now)
    .where('status', 'in', ['done', 'failed'])
    .orderBy('next_sync_at')
    .limit(limit)
    .execute()
}

/** Progress and outcome fields of a sync. */
export type SourceProgress = Partial<
  Pick<
    SourceRow,
    | 'status'
    | 'pages_found'
    | 'pages_imported'
    | 'pages_unchanged'
    | 'last_synced_at'
    | 'next_sync_at'
  >
> & { errors?: KnowledgeSourceError[] }

/** Writes a sync's progress; `false` when the source is gone (deleted meanwhile). */
export async function updateSourceProgress(
  db: Kysely<Database>,
  id: string,
  progress: SourceProgress,
): Promise<boolean> {
  const { errors, ...rest } = progress
  const res = await db
    .updateTable('knowledge_sources')
    .set({
      ...rest,
      ...(errors ? { errors: JSON.stringify(errors.slice(0, MAX_SOURCE_ERRORS)) } : {}),
      updated_at: nowIso(),
    })
    .where('id', '=', id)
    .executeTakeFirst()
  return Number(res.numUpdatedRows) > 0
}

/** Deletes the source row (its pages go by cascade); `false` when it did not exist. */
export async function deleteSourceRow(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<boolean> {
  const res = await db
    .deleteFrom('knowledge_sources')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst()
  return Number(res.numDeletedRows) > 0
}

/** Every page the source imported, with the title of its article. */
export async function listSourcePages(
  db: Db,
  sourceId: string,
): Promise<(SourcePageRow & { title: string | null })[]> {
  return db
    .selectFrom('knowledge_source_pages as p')
    .leftJoin('knowledge_articles as a', 'a.id', 'p.article_id')
    .selectAll('p')
    .select('a.title')
    .where('p.source_id', '=', sourceId)
    .orderBy('p.url')
    .execute()
}

/** The stored page of a source at this URL. */
export async function findSourcePage(
  db: Db,
  sourceId: string,
  url: string,
): Promise<SourcePageRow | undefined> {
  return db
    .selectFrom('knowledge_source_pages')
    .selectAll()
    .where('source_id', '=', sourceId)
    .where('url', '=', url)
    .executeTakeFirst()
}

/** Inserts or replaces a source's page record. */
export async function saveSourcePage(db: Kysely<Database>, page: SourcePageRow): Promise<void> {
  await db
    .insertInto('knowledge_source_pages')
    .values(page)
    .onConflict((oc) =>
      oc.columns(['source_id', 'url']).doUpdateSet({
        article_id: page.article_id,
        etag: page.etag,
        last_modified: page.last_modified,
        content_hash: page.content_hash,
        updated_at: page.updated_at,
      }),
    )
    .execute()
}

/** Forgets a page (it is gone from the site). */
export async function deleteSourcePage(db: Db, sourceId: string, url: string): Promise<void> {
  await db
    .deleteFrom('knowledge_source_pages')
    .where('source_id', '=', sourceId)
    .where('url', '=', url)
    .execute()
}
