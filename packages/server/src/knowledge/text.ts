import { stemmer } from 'stemmer'

// Words that carry no topic: question words, pronouns, fillers, auxiliaries. Stored without
// apostrophes because the tokenizer removes them ("doesn't" → "doesnt").
const STOPWORDS = new Set(
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
}

/**
 * Splits text into lower-case word tokens. Hyphenated and slashed words also yield their joined
 * form ("Wi-Fi" → "wi", "fi", "wifi"); apostrophes are dropped ("doesn't" → "doesnt").
 */
export function tokenize(text: string): string[] {
  const out: string[] = []
  const raw = text
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .split(/[^\p{L}\p{N}'\-/]+/u)
  for (let word of raw) {
    word = word.replace(/^['\-/]+|['\-/]+$/g, '').replace(/'s$/, '')
    if (word === '') continue
    if (/[-/]/.test(word)) {
      for (const part of word.split(/[-/]+/)) if (part !== '') out.push(part.replace(/'/g, ''))
      out.push(word.replace(/['\-/]/g, ''))
    } else out.push(word.replace(/'/g, ''))
  }
  return out
}

// Stemming every token of every question and article is the hot path of retrieval.
const processed = new Map<string, string[] | null>()
const MAX_CACHED_TERMS = 50_000

/** Stopword removal, expansion and Porter stemming for one token; `null` drops it. */
export function processTerm(term: string): string[] | null {
  let out = processed.get(term)
  if (out === undefined) {
    out = processUncached(term)
    if (processed.size >= MAX_CACHED_TERMS) processed.clear()
    processed.set(term, out)
  }
  return out
}

function processUncached(term: string): string[] | null {
  if (term.length < 2 && !/\d/.test(term)) return null
  if (STOPWORDS.has(term)) return null
  const words = [term, ...(EXPANSIONS[term] ?? [])]
  const out: string[] = []
  for (const w of words) {
    const s = stemmer(w)
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
const analyzed = new Map<string, readonly TermGroup[]>()
const ANALYZED_KEPT = 256
const ANALYZED_MAX_CHARS = 256

/** The meaningful words of a text, in order, without duplicates (frozen: it may be shared). */
export function analyze(text: string): readonly TermGroup[] {
  if (text.length > ANALYZED_MAX_CHARS) return analyzeUncached(text)
  let groups = analyzed.get(text)
  if (groups === undefined) {
    groups = analyzeUncached(text)
    for (const g of groups) Object.freeze(g)
    Object.freeze(groups)
    if (analyzed.size >= ANALYZED_KEPT) analyzed.delete(analyzed.keys().next().value as string)
  } else analyzed.delete(text)
  analyzed.set(text, groups)
  return groups
}

function analyzeUncached(text: string): TermGroup[] {
  const groups: TermGroup[] = []
  const seen = new Set<string>()
  for (const word of tokenize(text)) {
    const terms = processTerm(word)
    if (terms === null) continue
    if (seen.has(terms[0]!)) continue
    seen.add(terms[0]!)
    groups.push({ word, terms })
  }
  return groups
}

/** Every index term of a text (the set the search index holds for it). */
export function termSet(text: string): Set<string> {
  const set = new Set<string>()
  for (const g of analyze(text)) for (const t of g.terms) set.add(t)
  return set
}

const TROUBLE =
  /\b(?:does\s?n[o']?t|did\s?n[o']?t|do\s?n[o']?t|is\s?n[o']?t|wo\s?n[o']?t|ca\s?n[o']?t|cannot|not|never|still|fail\w*|error\w*|problem\w*|issue\w*|stuck|broken|unable|troubleshoot\w*|nothing happens|no luck)\b/i

/** Does the text talk about something not working ("still can't", "didn't work", "error")? */
export function mentionsTrouble(text: string): boolean {
  return TROUBLE.test(text.replace(/[’‘]/g, "'"))
}
