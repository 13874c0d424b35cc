import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/schema.ts'
import { Lru } from '../../lru.ts'
import {
  cosine,
  createEmbeddingsClient,
  type EmbeddingsClient,
  vectorFromBytes,
} from './embeddings-client.ts'
import { findEmbeddingState, loadVectors } from './vector-repo.ts'

/** How close a question is to each article: the cosine similarity of its closest passage. */
export interface SemanticScores {
  readonly similarity: ReadonlyMap<string, number>
  /** From this similarity a passage alone makes its article a confident match. */
  readonly minSimilarity: number
}

/** The semantic half of hybrid search. */
export interface SemanticSearch {
  readonly model: string
  /**
   * The question's similarity to the tenant's articles; undefined (search stays lexical) when
   * the tenant has no vectors yet or the embeddings endpoint fails (then it is left alone for
   * a short cooldown, so a down endpoint does not slow every answer).
   */
  scores(tenantId: string, question: string): Promise<SemanticScores | undefined>
}

interface TenantVectors {
  version: number
  articleIds: string[]
  vectors: Float32Array[]
}

/** Semantic scores over vectors kept in memory per tenant, reloaded when the tenant's change. */
export function createSemanticSearch(opts: {
  db: Db
  client: EmbeddingsClient
  minSimilarity: number
  log?: FastifyBaseLogger | undefined
  /** After a failed question embedding, search stays lexical this long (default 15 s). */
  cooldownMs?: number
  maxTenants?: number
}): SemanticSearch {
  const { db, client } = opts
  const cooldownMs = opts.cooldownMs ?? 15_000
  const cache = new Lru<string, Promise<TenantVectors>>(opts.maxTenants ?? 200)
  let downUntil = 0

  async function load(tenantId: string, version: number): Promise<TenantVectors> {
    const rows = await loadVectors(db, tenantId, client.model)
    return {
      version,
      articleIds: rows.map((r) => r.article_id),
      vectors: rows.map((r) => vectorFromBytes(r.vector)),
    }
  }

  async function vectorsOf(tenantId: string): Promise<TenantVectors | undefined> {
    const state = await findEmbeddingState(db, tenantId)
    if (!state || state.model !== client.model || Number(state.version) === 0) return undefined
    const version = Number(state.version)
    let entry = cache.get(tenantId)
    if (!entry || (await entry).version !== version) {
      entry = load(tenantId, version)
      cache.set(tenantId, entry)
      entry.catch(() => cache.delete(tenantId))
    }
    return entry
  }

  return {
    model: client.model,
    async scores(tenantId, question) {
      if (question.trim() === '' || Date.now() < downUntil) return undefined
      let tenant: TenantVectors | undefined
      try {
        tenant = await vectorsOf(tenantId)
      } catch (err) {
        opts.log?.warn({ err }, 'passage vectors unreadable: lexical search alone')
        return undefined
      }
      if (!tenant || tenant.vectors.length === 0) return undefined
      let q: Float32Array
      try {
        ;[q] = (await client.embed([question])) as [Float32Array]
      } catch (err) {
        downUntil = Date.now() + cooldownMs
        opts.log?.warn({ err }, 'question embedding failed: lexical search alone')
        return undefined
      }
      const similarity = new Map<string, number>()
      for (let i = 0; i < tenant.vectors.length; i++) {
        const id = tenant.articleIds[i]!
        const s = cosine(q, tenant.vectors[i]!)
        if (s > (similarity.get(id) ?? Number.NEGATIVE_INFINITY)) similarity.set(id, s)
      }
      return { similarity, minSimilarity: opts.minSimilarity }
    },
  }
}

const shared = new WeakMap<Db, SemanticSearch | null>()

/**
 * The process-wide semantic search of a database handle when embeddings are configured (agents
 * and routes share its vectors), else undefined.
 */
export function semanticSearchFor(
  db: Db,
  config: Pick<Config, 'embeddings' | 'fetchAllowPrivate'>,
  log?: FastifyBaseLogger,
): SemanticSearch | undefined {
  let s = shared.get(db)
  if (s === undefined) {
    s = config.embeddings
      ? createSemanticSearch({
          db,
          client: createEmbeddingsClient(config.embeddings, {
            allowPrivate: config.fetchAllowPrivate,
          }),
          minSimilarity: config.embeddings.minSimilarity,
          log,
        })
      : null
    shared.set(db, s)
  }
  return s ?? undefined
}
