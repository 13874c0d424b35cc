import { describe, expect, it } from 'vitest'
import type { ArticleHit, IndexedArticle } from '../knowledge-base.ts'
import { cosine, normalized, vectorFromBytes, vectorToBytes } from './embeddings-client.ts'
import { fuseHits, RRF_K } from './fusion.ts'

const article = (id: string) => ({ id, title: id }) as IndexedArticle
const ARTICLES = new Map(['a', 'b', 'c', 'd'].map((id) => [id, article(id)]))
const hit = (id: string, confident: boolean): ArticleHit => ({
  article: ARTICLES.get(id)!,
  score: 1,
  coverage: confident ? 1 : 0.2,
  confident,
  matchedWords: [],
  matchedInTitle: confident,
})
const scores = (entries: [string, number][]) => ({
  similarity: new Map(entries),
  minSimilarity: 0.5,
})

describe('reciprocal rank fusion', () => {
  it('adds 1/(k + rank) over both lists', () => {
    const out = fuseHits(
      [hit('a', false), hit('b', false)],
      scores([
        ['b', 0.4],
        ['c', 0.3],
      ]),
      ARTICLES,
      5,
    )
    expect(out.map((h) => h.article.id)).toEqual(['b', 'a', 'c'])
    expect(out[0]!.score).toBeCloseTo(1 / (RRF_K + 2) + 1 / (RRF_K + 1))
    expect(out.every((h) => !h.confident)).toBe(true)
    expect(out[0]!.similarity).toBe(0.4)
  })

  it('never lets a semantic match overrule a confident lexical one', () => {
    const out = fuseHits(
      [hit('a', true), hit('b', false)],
      scores([
        ['b', 0.95],
        ['a', 0.1],
      ]),
      ARTICLES,
      5,
    )
    expect(out[0]).toMatchObject({ article: { id: 'a' }, confident: true })
    expect(out[1]).toMatchObject({ article: { id: 'b' }, confident: false })
  })

  it('answers from the closest article when nothing matches lexically, above the threshold only', () => {
    const close = fuseHits(
      [],
      scores([
        ['c', 0.8],
        ['d', 0.7],
      ]),
      ARTICLES,
      5,
    )
    expect(close.map((h) => [h.article.id, h.confident])).toEqual([
      ['c', true],
      ['d', false],
    ])
    const far = fuseHits([hit('a', false)], scores([['c', 0.49]]), ARTICLES, 5)
    expect(far.some((h) => h.confident)).toBe(false)
  })

  it('takes no semantic-only candidate below half the threshold', () => {
    const out = fuseHits(
      [hit('a', false)],
      scores([
        ['b', 0.24],
        ['a', 0.01],
      ]),
      ARTICLES,
      5,
    )
    expect(out.map((h) => h.article.id)).toEqual(['a'])
    expect(out[0]!.similarity).toBe(0.01)
  })

  it('ignores vectors of articles no longer in the index and honours the limit', () => {
    const out = fuseHits(
      [],
      scores([
        ['gone', 0.99],
        ['a', 0.6],
        ['b', 0.5],
      ]),
      ARTICLES,
      1,
    )
    expect(out.map((h) => h.article.id)).toEqual(['a'])
    expect(out[0]!.confident).toBe(true)
  })
})

describe('vectors', () => {
  it('cosine of unit vectors of any length, 0 for different lengths', () => {
    const a = normalized(Float32Array.from([1, 2, 3, 4, 5]))
    const b = normalized(Float32Array.from([5, 4, 3, 2, 1]))
    expect(cosine(a, a)).toBeCloseTo(1, 6)
    expect(cosine(a, b)).toBeCloseTo(35 / 55, 6)
    expect(cosine(a, normalized(Float32Array.from([1, 2, 3])))).toBe(0)
    expect([...normalized(new Float32Array(3))]).toEqual([0, 0, 0])
  })

  it('round-trips through little-endian float32 bytes, from an unaligned buffer too', () => {
    const v = Float32Array.from([0.5, -1.25, 3e-8])
    const bytes = vectorToBytes(v)
    expect(bytes.length).toBe(12)
    const unaligned = Buffer.concat([Buffer.from([9]), bytes]).subarray(1)
    expect([...vectorFromBytes(unaligned)]).toEqual([...v])
  })
})
