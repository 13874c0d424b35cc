import { detectLanguage } from '../knowledge/language.ts'
import { processTerm, tokenize } from '../knowledge/text.ts'

/**
 * Two questions are alike when at least this share of their meaningful terms is common
 * (Jaccard index of the stemmed, stopword-free term sets, synonyms expanded as the knowledge
 * search does): "Do you ship to Mars?" and "Can you deliver to Mars?" share one of three.
 */
export const SIMILARITY_THRESHOLD = 1 / 3

// A term shared by more questions than this says little about any of them (and comparing every
// pair of its questions would cost the square): it does not propose pairs on its own.
const MAX_POSTING = 500

/** Lower-case, single-spaced, without the punctuation at the end: one wording of a question. */
export function normalizeWording(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[\s?!.…。？！]+$/u, '')
    .trim()
}

// Support questions ask the same thing in these words (English): each family counts as one word.
const FAMILIES: Record<string, string[]> = {
  ship: [
    'ship',
    'ships',
    'shipped',
    'shipping',
    'deliver',
    'delivers',
    'delivered',
    'delivery',
    'deliveries',
    'send',
    'sends',
    'sent',
    'dispatch',
    'dispatched',
  ],
  buy: ['buy', 'buying', 'bought', 'purchase', 'purchases', 'purchasing', 'purchased'],
  price: [
    'price',
    'prices',
    'pricing',
    'priced',
    'cost',
    'costs',
    'fee',
    'fees',
    'charge',
    'charges',
    'charged',
    'expensive',
    'cheap',
  ],
  cancel: [
    'cancel',
    'cancels',
    'cancelled',
    'canceled',
    'cancelling',
    'canceling',
    'cancellation',
    'terminate',
    'unsubscribe',
  ],
  refund: ['refund', 'refunds', 'refunded', 'refundable', 'reimburse', 'reimbursement'],
  offer: [
    'offer',
    'offers',
    'offered',
    'sell',
    'sells',
    'selling',
    'sold',
    'provide',
    'provides',
    'available',
    'availability',
    'stock',
  ],
}
const CANONICAL = new Map(
  Object.entries(FAMILIES).flatMap(([canon, words]) => words.map((w) => [w, canon] as const)),
)
// Words that make a question polite or long, not different.
const FILLER = new Set([
  'possible',
  'possibly',
  'wondering',
  'wonder',
  'question',
  'ask',
  'asking',
  'curious',
  'kindly',
  'actually',
  'currently',
  'anyone',
  'somehow',
  'guys',
])

/** The meaningful terms of a question: stemmed, stopwords and filler dropped, families merged. */
export function questionTerms(text: string): Set<string> {
  const lang = detectLanguage(text) ?? 'en'
  const out = new Set<string>()
  for (const word of tokenize(text)) {
    if (FILLER.has(word)) continue
    const canon = lang === 'en' ? CANONICAL.get(word) : undefined
    if (canon !== undefined) {
      out.add(`=${canon}`)
      continue
    }
    for (const t of processTerm(word, lang) ?? []) out.add(t)
  }
  return out
}

/**
 * Alike: at least {@link SIMILARITY_THRESHOLD} of all their terms in common, or — a long and a
 * short wording — two or more common terms making two thirds of the shorter one.
 */
function alike(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size === 0 || b.size === 0) return false
  let common = 0
  const [small, large] = a.size <= b.size ? [a, b] : [b, a]
  for (const t of small) if (large.has(t)) common++
  if (common / (a.size + b.size - common) >= SIMILARITY_THRESHOLD - 1e-9) return true
  return common >= 2 && common / small.size >= 2 / 3 - 1e-9
}

/**
 * Groups similar questions: single-linkage over {@link alike}, only pairs that
 * share a term compared (an inverted index), so it stays near-linear for typical questions.
 * Identical wordings always group. `terms` gives a question's terms when they are known
 * already ({@link questionTerms} of its text). Returns groups of indices into `texts`, in no
 * order.
 */
export function groupSimilarQuestions(
  texts: readonly string[],
  terms: (i: number) => ReadonlySet<string> = (i) => questionTerms(texts[i]!),
): number[][] {
  const parent = texts.map((_, i) => i)
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!
      i = parent[i]!
    }
    return i
  }
  const union = (a: number, b: number) => {
    const ra = find(a)
    const rb = find(b)
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb)
  }
  const byWording = new Map<string, number>()
  const sets: ReadonlySet<string>[] = []
  const postings = new Map<string, number[]>()
  texts.forEach((text, i) => {
    const wording = normalizeWording(text)
    const same = byWording.get(wording)
    if (same !== undefined) union(same, i)
    else byWording.set(wording, i)
    const set = terms(i)
    sets.push(set)
    for (const t of set) {
      const list = postings.get(t)
      if (list === undefined) postings.set(t, [i])
      else list.push(i)
    }
  })
  // comparedWith[j] === i: the pair (i, j) was looked at already (through another common term).
  const comparedWith = new Int32Array(texts.length).fill(-1)
  for (let i = 0; i < texts.length; i++) {
    for (const t of sets[i]!) {
      const list = postings.get(t)!
      if (list.length > MAX_POSTING) continue
      for (const j of list) {
        if (j <= i || comparedWith[j] === i) continue
        comparedWith[j] = i
        // Already one group: comparing them would change nothing.
        if (find(i) !== find(j) && alike(sets[i]!, sets[j]!)) union(i, j)
      }
    }
  }
  const groups = new Map<number, number[]>()
  for (let i = 0; i < texts.length; i++) {
    const root = find(i)
    const g = groups.get(root)
    if (g === undefined) groups.set(root, [i])
    else g.push(i)
  }
  return [...groups.values()]
}
