import { Lru } from '../lru.ts'
import { type Lang, STEMMERS, STOPWORDS } from './language.ts'

// Words that carry no topic: question words, pronouns, fillers, auxiliaries. Stored without
// apostrophes because the tokenizer removes them ("doesn't" → "doesnt").
const STOPWORDS_EN = new Set(
  `a about above after again against all also am an and any anyone anything are arent as at be
  because been before being below between both but by can cannot cant could couldnt did didnt do
  does doesnt doing done dont down during each either else even ever every few for from further
  get gets getting got had hadnt has hasnt have havent having he her here hers herself him himself
  his how i id if ill im in into is isnt it its itself ive just keep keeps kind know let lets like
  make me might more most much must my myself need needs no nor not now of off oh ok okay on once
  one only or other our ours out over own please pls really same shall she should shouldnt so some
  someone something still such tell than that thats the their theirs them themselves then there
  these they thing things this those through to too try tried trying um under until up us use used
  using very want wants was wasnt way we well were werent what whats when where which while who
  why will with wont would wouldnt yes yet you youre your yours yourself hi hello hey thanks thank
  help going go able anybody somebody whats hows whenever sure`
    .split(/\s+/)
    .filter(Boolean),
)

// One-directional expansions applied before stemming, at index and at query time alike: a word
// on the left also counts as the words on the right ("laptop" in a question finds "computer").
const EXPANSIONS: Record<string, string[]> = {
  wireless: ['wifi'],
  wlan: ['wifi'],
  macos: ['mac'],
  macbook: ['mac', 'laptop', 'computer'],
  osx: ['mac'],
  imac: ['mac', 'computer'],
  iphone: ['phone'],
  ipad: ['phone', 'tablet'],
  android: ['phone'],
  mobile: ['phone'],
  smartphone: ['phone'],
  cellphone: ['phone'],
  cell: ['phone'],
  laptop: ['computer'],
  notebook: ['computer', 'laptop'],
  pc: ['computer'],
  desktop: ['computer'],
  machine: ['computer'],
  login: ['login', 'sign'],
  logon: ['login', 'sign'],
  signin: ['login', 'sign'],
  log: ['login'],
  sign: ['login'],
  passcode: ['password'],
  pw: ['password'],
  pwd: ['password'],
  passwd: ['password'],
  '2fa': ['mfa'],
  twofactor: ['mfa'],
  '2step': ['mfa'],
  multifactor: ['mfa'],
  authenticator: ['mfa'],
  otp: ['mfa'],
  mail: ['email'],
  outlook: ['email'],
  inbox: ['email'],
  printer: ['print'],
  printers: ['print'],
  globalprotect: ['vpn'],
  sluggish: ['slow'],
  laggy: ['slow'],
  lag: ['slow'],
  lagging: ['slow'],
  freezing: ['slow', 'freez'],
  frozen: ['slow', 'freez'],
  unresponsive: ['slow'],
  locked: ['lock'],
  lockout: ['lock'],
  download: ['install'],
  app: ['software'],
  apps: ['software'],
  application: ['software'],
  applications: ['software'],
  program: ['software'],
  programs: ['software'],
  mic: ['microphone'],
  headset: ['microphone', 'audio'],
  headphones: ['audio'],
  sound: ['audio'],
  speaker: ['audio'],
  speakers: ['audio'],
  webcam: ['camera'],
  zoom: ['meeting'],
  teams: ['meeting'],
  webex: ['meeting'],
  phish: ['phishing'],
  scam: ['phishing'],
  suspicious: ['phishing'],
  spam: ['phishing'],
  internet: ['network'],
  forgotten: ['forgot'],
  forget: ['forgot'],
  unlock: ['lock'],
  // Shops, billing and accounts: the words visitors use for what help pages call otherwise.
  bill: ['invoice'],
  bills: ['invoice'],
  invoice: ['bill'],
  dollar: ['currency'],
  dollars: ['currency'],
  usd: ['currency'],
  euro: ['currency'],
  euros: ['currency'],
  eur: ['currency'],
  pound: ['currency'],
  pounds: ['currency'],
  gbp: ['currency'],
  yen: ['currency'],
  money: ['refund'],
  reimburse: ['refund'],
  reimbursement: ['refund'],
  guarantee: ['warranty'],
  guaranteed: ['warranty'],
  colleague: ['team', 'member'],
  colleagues: ['team', 'member'],
  coworker: ['team', 'member'],
  coworkers: ['team', 'member'],
  teammate: ['team', 'member'],
  teammates: ['team', 'member'],
  customer: ['client'],
  customers: ['client'],
  client: ['customer'],
  clients: ['customer'],
  delivery: ['ship'],
  deliveries: ['ship'],
  deliver: ['ship'],
  delivered: ['ship'],
  ship: ['delivery'],
  shipping: ['delivery'],
  shipped: ['delivery'],
  limescale: ['descale'],
  calcium: ['descale'],
}

/**
 * Splits text into lower-case word tokens. Hyphenated and slashed words also yield their joined
 * form ("Wi-Fi" → "wi", "fi", "wifi"); apostrophes are dropped ("doesn't" → "doesnt").
 */
/** `'`, `-` and `/` cut from both ends of a word, in one pass (a regex with `+$` is quadratic). */
function trimWordPunctuation(word: string): string {
  const cut = (c: string) => c === "'" || c === '-' || c === '/'
  let start = 0
  let end = word.length
  while (start < end && cut(word[start]!)) start++
  while (end > start && cut(word[end - 1]!)) end--
  return word.slice(start, end)
}

export function tokenize(text: string): string[] {
  const out: string[] = []
  const raw = text
    .normalize('NFC')
    .toLowerCase()
    // Arabic short vowels and the tatweel are optional in writing: words compare without them.
    .replace(/[\u064b-\u065f\u0670\u0640]/g, '')
    .replace(/[’‘`]/g, "'")
    .split(/[^\p{L}\p{N}'\-/]+/u)
  for (let word of raw) {
    word = trimWordPunctuation(word).replace(/'s$/, '')
    if (word === '') continue
    if (/[-/]/.test(word)) {
      for (const part of word.split(/[-/]+/)) if (part !== '') out.push(part.replace(/'/g, ''))
      out.push(word.replace(/['\-/]/g, ''))
    } else out.push(word.replace(/'/g, ''))
  }
  return out
}

// Stemming every token of every question and article is the hot path of retrieval: one cache
// per language (English, the common case, without building a key).
const processed = new Map<Lang, Map<string, string[] | null>>()
const MAX_CACHED_TERMS = 50_000

/**
 * Stopword removal, expansion (English) and stemming in `lang` (Porter for English, Snowball for
 * the others) for one token; `null` drops it.
 */
export function processTerm(term: string, lang: Lang = 'en'): string[] | null {
  let cache = processed.get(lang)
  if (cache === undefined) {
    cache = new Map()
    processed.set(lang, cache)
  }
  let out = cache.get(term)
  if (out === undefined) {
    out = processUncached(term, lang)
    if (cache.size >= MAX_CACHED_TERMS) cache.clear()
    cache.set(term, out)
  }
  return out
}

function processUncached(term: string, lang: Lang): string[] | null {
  if (term.length < 2 && !/\d/.test(term)) return null
  if (lang === 'en' ? STOPWORDS_EN.has(term) : STOPWORDS[lang].has(term)) return null
  const words = lang === 'en' ? [term, ...(EXPANSIONS[term] ?? [])] : [term]
  const stem = STEMMERS[lang]
  const out: string[] = []
  for (const w of words) {
    const s = stem(w)
    if (!out.includes(s)) out.push(s)
  }
  return out
}

/** One meaningful word of a question with the index terms it stands for (first: its own stem). */
export interface TermGroup {
  word: string
  terms: string[]
}

// Each message is analyzed several times (small talk?, search, passage scores): short texts'
// results are kept, frozen, a few hundred at most (least recently used dropped).
const ANALYZED_KEPT = 256
const analyzed = new Lru<string, readonly TermGroup[]>(ANALYZED_KEPT)
const ANALYZED_MAX_CHARS = 256

/**
 * The meaningful words of a text in `lang`, in order, without duplicates (frozen: it may be
 * shared).
 */
export function analyze(text: string, lang: Lang = 'en'): readonly TermGroup[] {
  if (text.length > ANALYZED_MAX_CHARS) return analyzeUncached(text, lang)
  const key = lang === 'en' ? text : `${lang}\u0000${text}`
  let groups = analyzed.get(key)
  if (groups === undefined) {
    groups = analyzeUncached(text, lang)
    for (const g of groups) Object.freeze(g)
    Object.freeze(groups)
    analyzed.set(key, groups)
  }
  return groups
}

function analyzeUncached(text: string, lang: Lang): TermGroup[] {
  const groups: TermGroup[] = []
  const seen = new Set<string>()
  for (const word of tokenize(text)) {
    const terms = processTerm(word, lang)
    if (terms === null) continue
    if (seen.has(terms[0]!)) continue
    seen.add(terms[0]!)
    groups.push({ word, terms })
  }
  return groups
}

/** Every index term of a text in `lang` (the set the search index holds for it). */
export function termSet(text: string, lang: Lang = 'en'): Set<string> {
  const set = new Set<string>()
  for (const g of analyze(text, lang)) for (const t of g.terms) set.add(t)
  return set
}

const TROUBLE =
  /\b(?:does\s?n[o']?t|did\s?n[o']?t|do\s?n[o']?t|is\s?n[o']?t|wo\s?n[o']?t|ca\s?n[o']?t|cannot|not|never|still|fail\w*|error\w*|problem\w*|issue\w*|stuck|broken|unable|troubleshoot\w*|nothing happens|no luck)\b/i

// The same in the other languages the agent reads: negations and "error", "problem", "stuck".
const TROUBLE_OTHER =
  /(?:^|[^\p{L}])(?:nicht|keine?|fehler\w*|probleme?|klappt|pas|erreur\w*|bloqu\p{L}*|funciona|falla\p{L}*|atascad\p{L}*|não|nao|erro|falha\p{L}*|travad\p{L}*|لا|مشكل\p{L}*|خطأ|عطل)(?=[^\p{L}]|$)/iu

/** Does the text talk about something not working ("still can't", "didn't work", "error")? */
export function mentionsTrouble(text: string): boolean {
  const t = text.replace(/[’‘]/g, "'")
  return TROUBLE.test(t) || TROUBLE_OTHER.test(t)
}
