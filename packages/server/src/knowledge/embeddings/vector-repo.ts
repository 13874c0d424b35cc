import { sql } from 'kysely'
import type { Db, KnowledgeEmbeddingStateTable } from '../../db/schema.ts'
import { nowIso } from '../../ids.ts'

/** A stored passage vector's key and what it was made from. */
export interface StoredPassage {
  article_id: string
  passage_index: number
  model: string
  text_hash: string
}

/** A passage vector to store. */
export interface NewPassageVector {
  articleId: string
  passageIndex: number
  textHash: string
  vector: Buffer
  dims: number
}

/** What the tenant's stored vectors were made from (no vector bytes). */
export function listStoredPassages(db: Db, tenantId: string): Promise<StoredPassage[]> {
  return db
    .selectFrom('knowledge_passage_vectors')
    .select(['article_id', 'passage_index', 'model', 'text_hash'])
    .where('tenant_id', '=', tenantId)
    .execute()
}

/** Stores (or replaces) passage vectors of the tenant in one transaction. */
export async function saveVectors(
  db: Db,
  tenantId: string,
  model: string,
  rows: readonly NewPassageVector[],
): Promise<void> {
  if (rows.length === 0) return
  const now = nowIso()
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('knowledge_passage_vectors')
      .values(
        rows.map((r) => ({
          tenant_id: tenantId,
          article_id: r.articleId,
          passage_index: r.passageIndex,
          model,
          text_hash: r.textHash,
          dims: r.dims,
          vector: r.vector,
          updated_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['article_id', 'passage_index']).doUpdateSet({
          model: (eb) => eb.ref('excluded.model'),
          text_hash: (eb) => eb.ref('excluded.text_hash'),
          dims: (eb) => eb.ref('excluded.dims'),
          vector: (eb) => eb.ref('excluded.vector'),
          updated_at: (eb) => eb.ref('excluded.updated_at'),
        }),
      )
      .execute()
  })
}

/** Deletes the tenant's vectors of these passages (gone, unpublished or split differently). */
export async function deleteVectors(
  db: Db,
  tenantId: string,
  keys: readonly { articleId: string; passageIndex: number }[],
): Promise<void> {
  for (let i = 0; i < keys.length; i += 200) {
    const part = keys.slice(i, i + 200)
    await db
      .deleteFrom('knowledge_passage_vectors')
      .where('tenant_id', '=', tenantId)
      .where((eb) =>
        eb.or(
          part.map((k) =>
            eb.and([eb('article_id', '=', k.articleId), eb('passage_index', '=', k.passageIndex)]),
          ),
        ),
      )
      .execute()
  }
}

/** The tenant's vectors made by `model`. */
export function loadVectors(
  db: Db,
  tenantId: string,
  model: string,
): Promise<{ article_id: string; passage_index: number; vector: Uint8Array }[]> {
  return db
    .selectFrom('knowledge_passage_vectors')
    .select(['article_id', 'passage_index', 'vector'])
    .where('tenant_id', '=', tenantId)
    .where('model', '=', model)
    .execute()
}

export type EmbeddingState = KnowledgeEmbeddingStateTable

/** How far the tenant's embeddings are, if they were ever made. */
export function findEmbeddingState(db: Db, tenantId: string): Promise<EmbeddingState | undefined> {
  return db
    .selectFrom('knowledge_embedding_state')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst()
}

/** Records a finished pass: up to date with `revision`; `changed` bumps the version. */
export async function recordEmbedded(
  db: Db,
  tenantId: string,
  model: string,
  revision: number,
  changed: boolean,
): Promise<void> {
  const now = nowIso()
  await db
    .insertInto('knowledge_embedding_state')
    .values({
      tenant_id: tenantId,
      model,
      revision,
      version: 1,
      failures: 0,
      retry_after: null,
      last_error: null,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column('tenant_id').doUpdateSet({
        model,
        revision,
        version: changed
          ? sql`knowledge_embedding_state.version + 1`
          : sql`knowledge_embedding_state.version`,
        failures: 0,
        retry_after: null,
        last_error: null,
        updated_at: now,
      }),
    )
    .execute()
}

/** Records a failed pass; the next waits `backoff(failures)` ms. Returns the failures so far. */
export async function recordEmbeddingFailure(
  db: Db,
  tenantId: string,
  model: string,
  error: string,
  backoff: (failures: number) => number,
): Promise<number> {
  const state = await findEmbeddingState(db, tenantId)
  const failures = (state?.failures ?? 0) + 1
  const now = nowIso()
  const retryAfter = new Date(Date.now() + backoff(failures)).toISOString()
  await db
    .insertInto('knowledge_embedding_state')
    .values({
      tenant_id: tenantId,
      model,
      revision: 0,
      version: 0,
      failures,
      retry_after: retryAfter,
      last_error: error.slice(0, 500),
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column('tenant_id').doUpdateSet({
        failures,
        retry_after: retryAfter,
        last_error: error.slice(0, 500),
        updated_at: now,
      }),
    )
    .execute()
  return failures
}

/**
 * Tenants whose embeddings are behind their knowledge (never made, older revision, another
 * model) and not waiting after a failure.
 */
export async function tenantsBehind(db: Db, model: string, limit: number): Promise<string[]> {
  const now = nowIso()
  const rows = await db
    .selectFrom('knowledge_revisions as r')
    .leftJoin('knowledge_embedding_state as s', 's.tenant_id', 'r.tenant_id')
    .select('r.tenant_id')
    .where((eb) =>
      eb.and([
        eb.or([
          eb('s.tenant_id', 'is', null),
          eb('s.revision', '<', eb.ref('r.revision')),
          eb('s.model', '<>', model),
        ]),
        eb.or([eb('s.retry_after', 'is', null), eb('s.retry_after', '<=', now)]),
      ]),
    )
    .limit(limit)
    .execute()
  return rows.map((r) => r.tenant_id)
}
