import type { FastifyBaseLogger } from 'fastify'
import { sha256Hex } from '../../auth/keys.ts'
import type { Db } from '../../db/schema.ts'
import { enqueueJob } from '../../jobs/job-repo.ts'
import type { JobHandler } from '../../jobs/job-runner.ts'
import { findKnowledgeRevision, listPublishedArticles } from '../article-repo.ts'
import { detectLanguage } from '../language.ts'
import { splitPassages } from '../passages.ts'
import { type EmbeddingsClient, vectorToBytes } from './embeddings-client.ts'
import {
  deleteVectors,
  findEmbeddingState,
  listStoredPassages,
  recordEmbedded,
  recordEmbeddingFailure,
  saveVectors,
  tenantsBehind,
} from './vector-repo.ts'

/** Brings a tenant's passage vectors up to date with its published articles. */
export const EMBED_PASSAGES_JOB = 'embed_passages'
/** Passages embedded and stored at a time (the client splits further into its batch size). */
const CHUNK = 128

/** First wait after a failed pass, doubled each time up to an hour. */
export function embeddingBackoffMs(failures: number, baseMs = 30_000): number {
  return Math.min(3_600_000, baseMs * 2 ** Math.max(0, failures - 1))
}

/**
 * Queues a pass for every tenant whose embeddings are behind (its articles changed since, or
 * the model did) unless it waits after a failure. Runs on every poll of the job runner, so an
 * article written on any instance, a restart mid-pass or a failed pass all end in a pass.
 */
export async function queueEmbeddingWork(db: Db, model: string): Promise<void> {
  for (const tenantId of await tenantsBehind(db, model, 20))
    await enqueueJob(db, { tenantId, kind: EMBED_PASSAGES_JOB, refId: `embed:${tenantId}` })
}

/**
 * The job: reads the knowledge revision, then the published articles, embeds each passage whose
 * text (or the model) changed, deletes vectors of passages that are gone, and records the
 * revision it is up to date with. A failure is recorded with a backoff before the next pass.
 */
export function embedPassagesJob(opts: {
  db: Db
  client: EmbeddingsClient
  log?: FastifyBaseLogger | undefined
  backoffMs?: (failures: number) => number
}): JobHandler {
  const { db, client } = opts
  return async (job, { signal }) => {
    const tenantId = job.tenant_id
    const revision = await findKnowledgeRevision(db, tenantId)
    const state = await findEmbeddingState(db, tenantId)
    if (state && state.model === client.model && state.revision >= revision) return
    try {
      const changed = await embedTenant(db, client, tenantId, signal)
      if (signal.aborted) return
      await recordEmbedded(db, tenantId, client.model, revision, changed)
    } catch (err) {
      if (signal.aborted) throw err
      const message = err instanceof Error ? err.message : String(err)
      const failures = await recordEmbeddingFailure(
        db,
        tenantId,
        client.model,
        message,
        opts.backoffMs ?? embeddingBackoffMs,
      )
      opts.log?.warn({ tenantId, failures, err: message }, 'passage embeddings failed')
      throw err
    }
  }
}

/** The text a passage is embedded as: the article's title, the section heading, the text. */
export function passageInput(title: string, heading: string | null, text: string): string {
  return [title, heading, text].filter((s) => s).join('\n')
}

/** Embeds what changed for the tenant; whether any stored vector changed. */
export async function embedTenant(
  db: Db,
  client: EmbeddingsClient,
  tenantId: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const articles = await listPublishedArticles(db, tenantId)
  const stored = new Map<string, string>()
  for (const s of await listStoredPassages(db, tenantId))
    stored.set(`${s.article_id}\n${s.passage_index}`, s.text_hash)
  const keep = new Set<string>()
  const wanted: { articleId: string; passageIndex: number; text: string; hash: string }[] = []
  for (const a of articles) {
    const lang = detectLanguage(`${a.title}\n${a.body}`) ?? 'en'
    for (const p of splitPassages(a.body, lang)) {
      const key = `${a.id}\n${p.index}`
      const text = passageInput(a.title, p.heading, p.text)
      const hash = sha256Hex(`${client.model}\n${text}`)
      keep.add(key)
      if (stored.get(key) !== hash)
        wanted.push({ articleId: a.id, passageIndex: p.index, text, hash })
    }
  }
  for (let i = 0; i < wanted.length; i += CHUNK) {
    if (signal?.aborted) return true
    const part = wanted.slice(i, i + CHUNK)
    const vectors = await client.embed(part.map((w) => w.text))
    await saveVectors(
      db,
      tenantId,
      client.model,
      part.map((w, j) => ({
        articleId: w.articleId,
        passageIndex: w.passageIndex,
        textHash: w.hash,
        vector: vectorToBytes(vectors[j]!),
        dims: vectors[j]!.length,
      })),
    )
  }
  const stale = [...stored.keys()]
    .filter((k) => !keep.has(k))
    .map((k) => {
      const [articleId, index] = k.split('\n')
      return { articleId: articleId!, passageIndex: Number(index) }
    })
  await deleteVectors(db, tenantId, stale)
  return wanted.length > 0 || stale.length > 0
}
