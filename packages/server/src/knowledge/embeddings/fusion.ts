import type { ArticleHit, IndexedArticle } from '../knowledge-base.ts'
import type { SemanticScores } from './semantic-search.ts'

/** Reciprocal rank fusion constant (the usual 60: the top ranks of both lists count alike). */
export const RRF_K = 60
/** Ranks of each list taken into the fusion. */
export const FUSION_DEPTH = 20

/**
 * Lexical hits and semantic similarities fused by reciprocal rank: each article scores
 * Σ 1/(RRF_K + rank) over the lists it is in. A hit is confident when the lexical match is;
 * when no lexical match is, the article semantically closest to the question is, if one of its
 * passages is at least `minSimilarity` close (embeddings find what shares no word with the
 * question, but never overrule a confident lexical match). Confident hits come first (the agent
 * answers from the first), each group by fused score.
 */
export function fuseHits(
  lexical: readonly ArticleHit[],
  semantic: SemanticScores,
  articles: ReadonlyMap<string, IndexedArticle>,
  limit: number,
): ArticleHit[] {
  const fused = new Map<string, { hit: ArticleHit | undefined; rrf: number }>()
  const entry = (id: string) => {
    let e = fused.get(id)
    if (!e) {
      e = { hit: undefined, rrf: 0 }
      fused.set(id, e)
    }
    return e
  }
  lexical.slice(0, FUSION_DEPTH).forEach((hit, i) => {
    const e = entry(hit.article.id)
    e.hit = hit
    e.rrf += 1 / (RRF_K + i + 1)
  })
  // Articles far from the question in meaning are not candidates of their own (they would only
  // pad "related" suggestions): half the confidence threshold at least.
  const ranked = [...semantic.similarity]
    .filter(([id, sim]) => articles.has(id) && sim >= semantic.minSimilarity / 2)
    .sort((a, b) => b[1] - a[1])
    .slice(0, FUSION_DEPTH)
  ranked.forEach(([id], i) => {
    entry(id).rrf += 1 / (RRF_K + i + 1)
  })
  const lexicalConfident = lexical.some((h) => h.confident)
  const [closest] = ranked
  const semanticPick =
    !lexicalConfident && closest && closest[1] >= semantic.minSimilarity ? closest[0] : undefined
  const hits: ArticleHit[] = []
  for (const [id, e] of fused) {
    const article = articles.get(id)
    if (!article) continue
    const similarity = semantic.similarity.get(id)
    const base = e.hit ?? {
      article,
      score: 0,
      coverage: 0,
      confident: false,
      matchedWords: [],
      matchedInTitle: false,
    }
    hits.push({
      ...base,
      matchedWords: [...base.matchedWords],
      score: e.rrf,
      confident: base.confident || id === semanticPick,
      ...(similarity !== undefined ? { similarity } : {}),
    })
  }
  hits.sort((a, b) => Number(b.confident) - Number(a.confident) || b.score - a.score)
  return hits.slice(0, limit)
}
