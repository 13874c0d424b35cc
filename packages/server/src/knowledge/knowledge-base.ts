import MiniSearch, { type SearchResult } from 'minisearch'
import type { Db } from '../db/schema.ts'
import { Lru } from '../lru.ts'
import { findKnowledgeRevision, listPublishedArticles, parseTags } from './article-repo.ts'
import { FUSION_DEPTH, fuseHits } from './embeddings/fusion.ts'
import type { SemanticScores } from './embeddings/semantic-search.ts'
import { detectLanguage, type Lang } from './language.ts'
import { headingOf, type Passage, splitPassages } from './passages.ts'
import { analyze, processTerm, type TermGroup, tokenize } from './text.ts'

/** An article held by a tenant's search index. */
export interface IndexedArticle {
  id: string
  title: string
  body: string
  tags: string[]
  /** Help Center address and category. */
  slug: string
  category: string | null
  updatedAt: string
  /** The language it is written in (detected from its text; English when unclear). */
  lang: Lang
  /** The page it was imported from (what an answer from it links to). */
  url?: string | undefined
  /** The file it was imported from (what an answer from it names). */
  file?: string | undefined
  /** Sections of the body, split on first use. */
  passages(): Passage[]
}

/** One article matching a question. */
export interface ArticleHit {
  article: IndexedArticle
  /**
   * MiniSearch BM25+ score with field boosts (hybrid: the reciprocal rank fusion score);
   * comparable only within one search.
   */
  score: number
  /** IDF-weighted share of the question's meaningful words found in the article, 0–1. */
  coverage: number
  /** A match good enough to answer from. */
  confident: boolean
  /** The question's words that matched (by their own stem). */
  matchedWords: string[]
  /** Some matched word is in the article's title or tags. */
  matchedInTitle: boolean
  /** Hybrid search: cosine similarity of the article's passage closest to the question. */
  similarity?: number
}

/**
 * Field boosts: a word in the title or tags says more about the topic than one in the body; a
 * section heading ("Reverse charge", "When you get your money back") names a topic of its own.
 */
export const SEARCH_BOOST = { title: 3, tags: 2.5, headings: 2, body: 1 } as const
/** Questions whose hits each index keeps (the same questions come again and again)… */
const SEARCH_CACHE_SIZE = 64
/** …if they are short (memory stays small with hundreds of tenants). */
const SEARCH_CACHE_MAX_CHARS = 256
const MIN_COVERAGE = 0.5
const MIN_COVERAGE_LONG = 0.34
const DOMINANCE = 2.5

/** One tenant's articles and their search index, valid for one knowledge revision. */
export class TenantKnowledge {
  readonly articles: ReadonlyMap<string, IndexedArticle>
  /** The languages the articles are written in, most used first. */
  readonly languages: readonly Lang[]
  readonly #search: MiniSearch
  readonly #df = new Map<string, number>()
  readonly #titleTerms = new Map<string, Set<string>>()
  #titles: string[] | undefined
  /** Hits per question and limit, least recently used first. Valid as long as this index. */
  readonly #searches = new Lru<string, readonly ArticleHit[]>(SEARCH_CACHE_SIZE)

  constructor(
    readonly tenantId: string,
    readonly revision: number,
    articles: IndexedArticle[],
  ) {
    this.articles = new Map(articles.map((a) => [a.id, a]))
    const counts = new Map<Lang, number>()
    for (const a of articles) counts.set(a.lang, (counts.get(a.lang) ?? 0) + 1)
    this.languages = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)!)
    // Each article is analyzed in its own language before indexing (its fields hold index
    // terms); a question is analyzed in the language it is asked in (see `search`).
    this.#search = new MiniSearch<{
      id: string
      title: string
      tags: string
      headings: string
      body: string
    }>({
      fields: ['title', 'tags', 'headings', 'body'],
      tokenize: (terms) => terms.split(' '),
      processTerm: (term) => term || null,
      searchOptions: {
        tokenize: (text) => tokenize(text),
        processTerm: (term) => processTerm(term),
        boost: { ...SEARCH_BOOST },
        // Fuzzy only for longer words: short ones ("vpn", "mfa", "mac") would match noise. Two
        // edits only for long words: each extra edit multiplies the work on the index tree.
        fuzzy: (term) => (term.length >= 10 ? 2 : term.length >= 5 ? 1 : false),
        prefix: (term) => term.length >= 4,
        weights: { fuzzy: 0.45, prefix: 0.6 },
        combineWith: 'OR',
      },
    })
    this.#search.addAll(
      articles.map((a) => ({
        id: a.id,
        title: indexTerms(a.title, a.lang),
        tags: indexTerms(a.tags.join(' \n '), a.lang),
        headings: indexTerms(headingsOf(a.body), a.lang),
        body: indexTerms(a.body, a.lang),
      })),
    )
    for (const a of articles) {
      const terms = new Set<string>()
      for (const g of analyze(`${a.title}\n${a.tags.join('\n')}\n${a.body}`, a.lang))
        for (const t of g.terms) terms.add(t)
      for (const t of terms) this.#df.set(t, (this.#df.get(t) ?? 0) + 1)
      const tt = new Set<string>()
      for (const g of analyze(`${a.title}\n${a.tags.join('\n')}`, a.lang))
        for (const t of g.terms) tt.add(t)
      this.#titleTerms.set(a.id, tt)
    }
  }

  get size(): number {
    return this.articles.size
  }

  /** BM25 inverse document frequency of an index term in this tenant's articles. */
  idf(term: string): number {
    return this.#idfFor(this.#df.get(term) ?? 0)
  }

  #idfFor(df: number): number {
    const n = this.articles.size
    return Math.log(1 + (n - df + 0.5) / (df + 0.5))
  }

  /**
   * Articles matching the question, best first, each with its confidence. The lexical result is
   * frozen and shared: a repeated question is answered from a cache (this index is immutable; a
   * new knowledge revision builds a new one). With `semantic` (the question's similarity to the
   * articles, see embeddings/) the lexical hits are fused with it (hybrid search).
   */
  search(
    question: string,
    opts: { limit?: number; lang?: Lang; semantic?: SemanticScores | undefined } = {},
  ): readonly ArticleHit[] {
    const lang = opts.lang ?? 'en'
    if (opts.semantic) {
      const lexical = this.search(question, { lang, limit: FUSION_DEPTH })
      return fuseHits(lexical, opts.semantic, this.articles, opts.limit ?? 5)
    }
    const key = `${opts.limit ?? ''}\n${lang}\n${question}`
    const cached = this.#searches.get(key)
    if (cached !== undefined) return cached
    const hits = this.#searchUncached(question, opts.limit, lang)
    if (question.length > SEARCH_CACHE_MAX_CHARS) return hits
    for (const h of hits) {
      Object.freeze(h.matchedWords)
      Object.freeze(h)
    }
    Object.freeze(hits)
    this.#searches.set(key, hits)
    return hits
  }

  /**
   * The language to read a question in: its own when it shows one; else, of the visitor's and
   * the articles' languages, the one in which it matches an article best.
   */
  questionLanguage(question: string, visitorLang?: Lang | undefined): Lang {
    const own = detectLanguage(question)
    if (own) return own
    const candidates = [
      ...(visitorLang && this.languages.includes(visitorLang) ? [visitorLang] : []),
      ...this.languages.filter((l) => l !== visitorLang),
    ]
    if (candidates.length <= 1) return candidates[0] ?? visitorLang ?? 'en'
    let best = candidates[0]!
    let bestScore = -1
    for (const lang of candidates) {
      const top = this.search(question, { lang })[0]
      const score = top ? (top.confident ? 2 : 0) + top.coverage : 0
      if (score > bestScore) {
        best = lang
        bestScore = score
      }
    }
    return best
  }

  #searchUncached(question: string, limit: number | undefined, lang: Lang): ArticleHit[] {
    const groups = analyze(question, lang).slice(0, 40)
    if (groups.length === 0 || this.articles.size === 0) return []
    const query = groups.map((g) => g.word).join(' ')
    // Most questions are spelled right: exact and prefix matching answers them at a fraction of
    // the cost of fuzzy matching, which runs only when that finds nothing confident.
    const exact = this.#run(query, groups, limit, false, lang)
    if (exact[0]?.confident) return exact
    return this.#run(query, groups, limit, true, lang)
  }

  #run(query: string, groups: TermGroup[], limit = 5, fuzzy: boolean, lang: Lang): ArticleHit[] {
    const inLang = lang === 'en' ? {} : { processTerm: (term: string) => processTerm(term, lang) }
    const results = fuzzy
      ? this.#search.search(query, inLang)
      : this.#search.search(query, { fuzzy: false, ...inLang })
    const hits: ArticleHit[] = []
    for (const r of results.slice(0, limit)) {
      const article = this.articles.get(String(r.id))
      if (!article) continue
      hits.push(this.#assess(article, r, groups))
    }
    // A common word ("password") that names one article's topic far better than any other's.
    const [top, second] = hits
    if (
      top &&
      !top.confident &&
      top.matchedInTitle &&
      top.coverage >= MIN_COVERAGE &&
      (second === undefined || top.score >= DOMINANCE * second.score)
    )
      top.confident = true
    return hits
  }

  /** Titles of the tenant's articles (what the assistant can help with), alphabetically. */
  titles(limit = 50): string[] {
    this.#titles ??= [...this.articles.values()]
      .map((a) => a.title)
      .sort((a, b) => a.localeCompare(b))
    return this.#titles.slice(0, limit)
  }

  /**
   * The article with exactly this title (case-insensitive), if any; else the first imported from
   * a file of that name (answers from a file cite the file).
   */
  findByTitle(title: string): IndexedArticle | undefined {
    const t = title.trim().toLowerCase()
    for (const a of this.articles.values()) if (a.title.trim().toLowerCase() === t) return a
    for (const a of this.articles.values()) if (a.file?.toLowerCase() === t) return a
    return undefined
  }

  #assess(article: IndexedArticle, r: SearchResult, groups: TermGroup[]): ArticleHit {
    const docTerms = new Set(r.terms)
    const queryTerms = new Set(r.queryTerms)
    const titleTerms = this.#titleTerms.get(article.id) ?? new Set<string>()
    // The strongest single word may be as rare as a word the index has never seen.
    const unseenIdf = this.#idfFor(0)
    let total = 0
    let matched = 0
    let matchedInTitle = false
    let salience = 0
    const matchedWords: string[] = []
    for (const g of groups) {
      const weight = Math.max(...g.terms.map((t) => (this.#df.has(t) ? this.idf(t) : unseenIdf)))
      total += weight
      let quality = 0
      for (const t of g.terms) {
        if (docTerms.has(t)) quality = Math.max(quality, t === g.terms[0] ? 1 : 0.85)
        else if (queryTerms.has(t)) quality = Math.max(quality, 0.7)
      }
      if (quality > 0) {
        matched += weight * quality
        matchedWords.push(g.word)
        const inTitle = g.terms.some((t) => titleTerms.has(t))
        if (inTitle) matchedInTitle = true
        // A word in the title or tags says what the article is about, however common it is.
        salience += weight * quality * (inTitle ? 2 : 1)
      }
    }
    const coverage = total === 0 ? 0 : matched / total
    // Common words alone ("open", "work") must not make a match: the matched words must weigh
    // at least half as much as one word found in a single article.
    const rareEnough = salience >= Math.min(1, 0.5 * this.#idfFor(1))
    // A long question may carry words no article uses ("weird"); three or more matched words
    // including a title or tag word still make a match.
    const confident =
      rareEnough &&
      ((coverage >= MIN_COVERAGE && (matchedInTitle || matchedWords.length >= 2)) ||
        (coverage >= MIN_COVERAGE_LONG && matchedInTitle && matchedWords.length >= 3))
    return { article, score: r.score, coverage, confident, matchedWords, matchedInTitle }
  }
}

/** Per-tenant search indexes, rebuilt when the tenant's knowledge revision changes. */
export interface KnowledgeBase {
  /**
   * The tenant's current index (one revision lookup; a rebuild only after a change). With
   * `revision` (read by the caller moments ago, e.g. in the transaction that stored the visitor's
   * message) there is no lookup: an index at least that recent is used.
   */
  forTenant(tenantId: string, opts?: { revision?: number | undefined }): Promise<TenantKnowledge>
  /** Drops cached indexes (tests, memory pressure). */
  clear(): void
}

/**
 * A cache of per-tenant MiniSearch indexes over the database. Each call checks the tenant's
 * revision counter (bumped by every article write on any instance), so edits are seen at once
 * everywhere; least recently used tenants are evicted beyond `maxTenants`.
 */
export function createKnowledgeBase(db: Db, opts: { maxTenants?: number } = {}): KnowledgeBase {
  const maxTenants = opts.maxTenants ?? 500
  const cache = new Lru<string, TenantKnowledge>(maxTenants)
  const building = new Map<string, Promise<TenantKnowledge>>()

  async function build(tenantId: string, revision: number): Promise<TenantKnowledge> {
    const rows = await listPublishedArticles(db, tenantId)
    const articles = rows.map<IndexedArticle>((row) => {
      let passages: Passage[] | undefined
      const lang = detectLanguage(`${row.title}\n${row.body}`) ?? 'en'
      return {
        id: row.id,
        title: row.title,
        body: row.body,
        tags: parseTags(row.tags),
        slug: row.slug,
        category: row.category,
        updatedAt: row.updated_at,
        lang,
        ...(row.source_url ? { url: row.source_url } : {}),
        ...(row.source_file ? { file: row.source_file } : {}),
        passages() {
          passages ??= splitPassages(row.body, lang)
          return passages
        },
      }
    })
    return new TenantKnowledge(tenantId, revision, articles)
  }

  return {
    async forTenant(tenantId, opts = {}) {
      // Revision first, articles second: a write in between makes the index newer than its
      // revision, which only costs one extra rebuild later, never a stale answer.
      const known = opts.revision
      const revision = known ?? (await findKnowledgeRevision(db, tenantId))
      const cached = cache.get(tenantId)
      if (
        cached &&
        (known !== undefined ? cached.revision >= known : cached.revision === revision)
      ) {
        return cached
      }
      const key = `${tenantId}@${revision}`
      let pending = building.get(key)
      if (!pending) {
        pending = build(tenantId, revision).finally(() => building.delete(key))
        building.set(key, pending)
      }
      const fresh = await pending
      const current = cache.peek(tenantId)
      if (!current || current.revision <= fresh.revision) cache.set(tenantId, fresh)
      return fresh
    },
    clear() {
      cache.clear()
    },
  }
}

const shared = new WeakMap<Db, KnowledgeBase>()

/** The process-wide knowledge base of a database handle (agents and routes share its cache). */
export function knowledgeBaseFor(db: Db): KnowledgeBase {
  let kb = shared.get(db)
  if (!kb) {
    kb = createKnowledgeBase(db)
    shared.set(db, kb)
  }
  return kb
}

/** A text's index terms in `lang`, space-separated (what the index stores for an article field). */
/** The text of an article body's `#` heading lines, one per line. */
function headingsOf(body: string): string {
  const out: string[] = []
  for (const line of body.split('\n')) {
    const heading = headingOf(line)
    if (heading !== undefined) out.push(heading)
  }
  return out.join('\n')
}

function indexTerms(text: string, lang: Lang): string {
  const out: string[] = []
  for (const word of tokenize(text)) {
    const terms = processTerm(word, lang)
    if (terms) out.push(...terms)
  }
  return out.join(' ')
}

/**
 * How an answer cites an article: by its title with a link to its page, or — imported from a
 * file — by the file's name.
 */
export function citationOf(article: Pick<IndexedArticle, 'id' | 'title' | 'url' | 'file'>): {
  id: string
  title: string
  url?: string
} {
  return {
    id: article.id,
    title: article.file ?? article.title,
    ...(article.url ? { url: article.url } : {}),
  }
}
