import type { SemanticScores } from '../knowledge/embeddings/semantic-search.ts'
import type { ArticleHit, IndexedArticle, TenantKnowledge } from '../knowledge/knowledge-base.ts'
import type { Lang } from '../knowledge/language.ts'
import type { Passage } from '../knowledge/passages.ts'
import { analyze, mentionsTrouble, type TermGroup } from '../knowledge/text.ts'
import { Lru } from '../lru.ts'
import { memoIn, oncePer } from '../memo.ts'
import type { AgentTurn } from './agent.ts'
import { looksLikeFollowUp, stripGreeting } from './intents.ts'

/** What the agent knows about the visitor's latest message. */
export interface Retrieval {
  /** The visitor's latest message (greeting stripped). */
  question: string
  /** The language the question was read in (its own, else the visitor's, else the articles'). */
  lang: Lang
  groups: readonly TermGroup[]
  /** The message reports something not working ("still can't connect"). */
  trouble: boolean
  /** The article to answer from, if any. */
  article: IndexedArticle | undefined
  /** The answer continues the previous reply's article (follow-up question). */
  followUp: boolean
  /** Hits for the question as asked (or combined with the previous one), best first. */
  hits: readonly ArticleHit[]
  /** The article the most recent replies cited, if any. */
  previousArticle: IndexedArticle | undefined
  /** Everything the assistant already said about `article` (to avoid repeating a section). */
  saidBefore: string[]
}

// Line by line and with no quote inside the quoted title: linear on any reply or article text.
const CITATION_HEAD = /^sources?[ \t]*:/i
const SPOKEN_CITATION = /from (?:our|the) (?:help )?article [“"]([^“”"\n]+)[”"]/gi

/** Titles an assistant reply cites ("Source: Reset your password", spoken form too). */
export function citedTitles(text: string): string[] {
  const out: string[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    const head = CITATION_HEAD.exec(line)
    if (!head) continue
    for (const t of line.slice(head[0].length).split(';')) if (t.trim() !== '') out.push(t.trim())
  }
  for (const m of text.matchAll(SPOKEN_CITATION)) out.push(m[1]!.trim())
  return out
}

/**
 * Small least-recently-used memo of a string function: the earlier replies of a conversation
 * are read again for each new message.
 */
function memoized<T>(fn: (text: string) => T, size = 64): (text: string) => T {
  return memoIn(new Lru<string, T>(size), fn)
}

const citedInText = memoized((text): readonly string[] => Object.freeze(citedTitles(text)))

/**
 * The articles an assistant turn cited, most relevant first: stored with it (best first), or
 * (older replies) named in its text, where the last named is the one the reply ended on.
 */
function citedTitlesOf(turn: AgentTurn): readonly string[] {
  return turn.sources && turn.sources.length > 0
    ? turn.sources
    : [...citedInText(turn.text)].reverse()
}

/** The visitor's latest message: the last visitor turn of the history. */
export function latestVisitorText(history: readonly AgentTurn[]): string {
  for (let i = history.length - 1; i >= 0; i--) {
    const turn = history[i]!
    if (turn.role === 'visitor') return turn.text
  }
  return ''
}

function isAssistant(turn: AgentTurn): boolean {
  return turn.role === 'assistant' || turn.role === 'agent'
}

/** A passage's sentences as said in a reply: compare ignoring list markers and punctuation. */
export function normalizeForCompare(text: string): string {
  return text
    .toLowerCase()
    .replace(/^[ \t]*(?:\d+[.)]|[-*•])[ \t]+/gm, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}

// The same earlier replies are compared with every passage of an article, reply after reply.
const normalizedReply = memoized(normalizeForCompare)

// Passages are immutable (a knowledge revision builds new ones): what depends on one is kept.
/** The passage's heading for comparing (normalizeForCompare); null without one. */
export const normalizedHeading = oncePer((passage: Passage): string | null =>
  passage.heading === null ? null : normalizeForCompare(passage.heading),
)

const firstLineOf = oncePer((passage: Passage) =>
  normalizeForCompare(passage.text.split('\n')[0] ?? '').slice(0, 80),
)

/** Whether a reply already contained this passage (its first line). */
export function passageSaid(passage: Passage, said: readonly string[]): boolean {
  const line = firstLineOf(passage)
  if (line === '') return false
  return said.some((s) => normalizedReply(s).includes(line))
}

// A passage scoring this much matches something the question names beyond the article's topic.
const SPECIFIC_PASSAGE_SCORE = 0.9

// "slow" in "my laptop is slow" picks the article "My computer is slow", not its section
// "If it's still slow".
const TOPIC_WORD_WEIGHT = 0.25

// Articles are immutable (a knowledge revision builds new ones): their title terms are kept.
const titleTermsOf = oncePer((article: IndexedArticle): ReadonlySet<string> => {
  const terms = new Set<string>()
  for (const g of analyze(`${article.title}\n${article.tags.join('\n')}`, article.lang))
    for (const t of g.terms) terms.add(t)
  return terms
})

/**
 * How well a passage of `article` answers the words of a question: words in the heading count
 * double, words rare among the article's passages count more, and the article's own title words
 * count little (they say which article, not which section).
 */
export function scorePassages(
  article: IndexedArticle,
  groups: readonly TermGroup[],
  trouble: boolean,
): readonly number[] {
  // Choosing the passage and composing the answer score the same passages for the same question.
  const last = lastScores
  if (last && last.article === article && last.groups === groups && last.trouble === trouble) {
    return last.scores
  }
  const scores = Object.freeze(scoreUncached(article, groups, trouble))
  lastScores = { article, groups, trouble, scores }
  return scores
}

let lastScores:
  | {
      article: IndexedArticle
      groups: readonly TermGroup[]
      trouble: boolean
      scores: readonly number[]
    }
  | undefined

function scoreUncached(
  article: IndexedArticle,
  groups: readonly TermGroup[],
  trouble: boolean,
): number[] {
  const passages = article.passages()
  const n = passages.length
  const topic = titleTermsOf(article)
  const weights = groups.map((g) => {
    const df = passages.filter((q) => g.terms.some((t) => q.terms.has(t))).length
    const idf = df === 0 ? 0 : Math.log(1 + n / df)
    return g.terms.some((t) => topic.has(t)) ? idf * TOPIC_WORD_WEIGHT : idf
  })
  return passages.map((p) => {
    let score = 0
    groups.forEach((g, i) => {
      if (g.terms.some((t) => p.headingTerms.has(t))) score += 2 * weights[i]!
      else if (g.terms.some((t) => p.terms.has(t))) score += weights[i]!
    })
    if (trouble && p.trouble) score += 1.5
    return score
  })
}

/**
 * The passage a first answer about `article` uses: the best-scoring one, or the first section
 * (the main how-to) when the question names nothing more specific than the article's topic.
 */
export function bestPassage(
  article: IndexedArticle,
  groups: readonly TermGroup[],
  trouble: boolean,
): Passage | undefined {
  const passages = article.passages()
  const scores = scorePassages(article, groups, trouble)
  let best = -1
  scores.forEach((s, i) => {
    if (s >= SPECIFIC_PASSAGE_SCORE && (best === -1 || s > scores[best]!)) best = i
  })
  if (best >= 0) return passages[best]
  return passages.find((p) => p.heading !== null) ?? passages[0]
}

function specificMatch(
  article: IndexedArticle,
  groups: readonly TermGroup[],
  trouble: boolean,
): boolean {
  const topic = titleTermsOf(article)
  const specific = groups.filter((g) => !g.terms.some((t) => topic.has(t)))
  if (specific.length === 0) return trouble
  const scores = scorePassages(article, specific, trouble)
  return Math.max(0, ...scores) >= SPECIFIC_PASSAGE_SCORE
}

/**
 * Finds the article for the visitor's latest message, using the conversation: a follow-up
 * ("and on a Mac?", "what if that doesn't work?") continues the article the previous reply cited;
 * a question too vague on its own is searched together with the previous question.
 */
export function retrieve(
  kb: TenantKnowledge,
  history: readonly AgentTurn[],
  opts: {
    visitorLang?: Lang | undefined
    /** The similarity of {@link retrievalQuestion} to the articles (hybrid search). */
    semantic?: SemanticScores | undefined
  } = {},
): Retrieval {
  const question = retrievalQuestion(history)
  const lang = kb.questionLanguage(question, opts.visitorLang)
  const groups = analyze(question, lang)
  const trouble = mentionsTrouble(question)

  let lastVisitorIndex = -1
  for (let i = history.length - 1; i >= 0; i--)
    if (history[i]!.role === 'visitor') {
      lastVisitorIndex = i
      break
    }
  const earlier = history.slice(0, Math.max(0, lastVisitorIndex))

  // The article the recent replies were about: the newest citation among the last three replies.
  let previousArticle: IndexedArticle | undefined
  let replies = 0
  for (let i = earlier.length - 1; i >= 0 && replies < 3 && !previousArticle; i--) {
    const turn = earlier[i]!
    if (!isAssistant(turn)) continue
    replies++
    for (const title of citedTitlesOf(turn)) {
      previousArticle = kb.findByTitle(title)
      if (previousArticle) break
    }
  }
  const previousQuestion = [...earlier].reverse().find((t) => t.role === 'visitor')?.text

  const saidAbout = (article: IndexedArticle | undefined): string[] =>
    article === undefined
      ? []
      : earlier
          .filter((t) => isAssistant(t) && citedTitlesOf(t).includes(article.title))
          .map((t) => t.text)

  const hits = kb.search(question, { lang, semantic: opts.semantic })
  const top = hits[0]
  const result = (article: IndexedArticle | undefined, followUp: boolean, h = hits): Retrieval => ({
    question,
    lang,
    groups,
    trouble,
    article,
    followUp,
    hits: h,
    previousArticle,
    saidBefore: saidAbout(article),
  })

  if (previousArticle) {
    // A follow-up the reply offered ("On a Mac"), sent back as it was.
    if (isHeadingOf(previousArticle, question)) return result(previousArticle, true)
    const cue = looksLikeFollowUp(question) || groups.length === 0
    const fits = specificMatch(previousArticle, groups, trouble)
    if (top?.confident && top.article.id === previousArticle.id)
      return result(previousArticle, true)
    // "and what about the printer?" names a new topic even though it starts like a follow-up.
    if (top?.confident && !(cue && fits && !top.matchedInTitle)) return result(top.article, false)
    if (cue) return result(previousArticle, true)
  }
  if (top?.confident) return result(top.article, false)

  if (previousQuestion !== undefined && groups.length > 0) {
    const combined = kb.search(`${previousQuestion}\n${question}`, { lang })
    const best = combined[0]
    if (best?.confident && looksLikeFollowUp(question))
      return result(best.article, best.article.id === previousArticle?.id, combined)
  }
  return result(undefined, false)
}

/** What {@link retrieve} searches for: the visitor's latest message, greeting stripped. */
export function retrievalQuestion(history: readonly AgentTurn[]): string {
  return stripGreeting(latestVisitorText(history))
}

/** Whether `text` is, give or take case and punctuation, the heading of one of the article's sections. */
export function isHeadingOf(article: IndexedArticle, text: string): boolean {
  const t = normalizeForCompare(text)
  if (t === '') return false
  return article.passages().some((p) => normalizedHeading(p) === t)
}
