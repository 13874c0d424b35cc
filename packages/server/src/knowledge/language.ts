import { stemmer as arStem } from '@orama/stemmers/arabic'
import { stemmer as frStem } from '@orama/stemmers/french'
import { stemmer as deStem } from '@orama/stemmers/german'
import { stemmer as ptStem } from '@orama/stemmers/portuguese'
import { stemmer as esStem } from '@orama/stemmers/spanish'
import { stopwords as arStopwords } from '@orama/stopwords/arabic'
import { stopwords as frStopwords } from '@orama/stopwords/french'
import { stopwords as deStopwords } from '@orama/stopwords/german'
import { stopwords as ptStopwords } from '@orama/stopwords/portuguese'
import { stopwords as esStopwords } from '@orama/stopwords/spanish'
import { stemmer as enStem } from 'stemmer'
import { Lru } from '../lru.ts'

/**
 * The languages the built-in agent reads and answers in: those the widget ships translations
 * for (English plus `packages/widget/src/app/locales`).
 */
export const LANGS = ['en', 'de', 'fr', 'es', 'pt', 'ar'] as const
export type Lang = (typeof LANGS)[number]

/** Snowball stemmers (English keeps the Porter stemmer the index always used). */
export const STEMMERS: Record<Lang, (word: string) => string> = {
  en: enStem,
  de: deStem,
  fr: frStem,
  es: esStem,
  pt: ptStem,
  ar: arStem,
}

/** Stopwords of the other languages (English has its own list in text.ts, tuned for help desks). */
export const STOPWORDS: Record<Exclude<Lang, 'en'>, ReadonlySet<string>> = {
  de: foldSet(deStopwords),
  fr: foldSet(frStopwords),
  es: foldSet(esStopwords),
  pt: foldSet(ptStopwords),
  ar: foldSet(arStopwords),
}

function foldSet(words: readonly string[]): ReadonlySet<string> {
  // The tokenizer drops apostrophes ("qu'il" → "quil"); the lists are compared the same way.
  return new Set(words.map((w) => w.toLowerCase().replace(/['’]/g, '')))
}

// Very frequent function words, one list per Latin-script language: a question's language is
// the one whose words it uses most. Words shared by several languages ("a", "de", "no") are left
// out, so each hit is evidence for one language.
const MARKERS: Record<Exclude<Lang, 'ar'>, ReadonlySet<string>> = {
  en: new Set(
    `the is are how do does my i you what why can cant doesnt dont it to my with and not on of
    this that where when which have has was will would should there please about tell for from
    get your our an`.split(/\s+/),
  ),
  de: new Set(
    `der die das ist ich wie kann nicht mein meine ein eine und mit auf wird funktioniert geht
    warum wo was mich mir sich zu den dem des bitte kein keine ich bei für fur habe hat`.split(
      /\s+/,
    ),
  ),
  fr: new Set(
    `le la les est je comment mon ma mes un une et avec ne pas pourquoi quoi ou où qui sur dans
    pour ça fonctionne marche plus puis suis jai cest mot vous nous il elle au aux du`.split(/\s+/),
  ),
  es: new Set(
    `el la los las es cómo como mi mis un una y con no por qué que dónde donde funciona puedo
    tengo para está esta hay del al pero también muy cuando`.split(/\s+/),
  ),
  pt: new Set(
    `o os as é como meu minha um uma e com não nao por quê que onde funciona posso tenho para
    está esta há do da dos das ao mas também muito quando você`.split(/\s+/),
  ),
}
// Overlaps cancel out: a word two languages share is no evidence.
{
  const seen = new Map<string, number>()
  for (const set of Object.values(MARKERS)) for (const w of set) seen.set(w, (seen.get(w) ?? 0) + 1)
  for (const set of Object.values(MARKERS))
    for (const w of [...set]) if ((seen.get(w) ?? 0) > 1) (set as Set<string>).delete(w)
}

const LETTERS: Partial<Record<Lang, RegExp>> = {
  de: /[äöüß]/,
  es: /[ñ¿¡]/,
  pt: /[ãõ]|ção\b/,
  fr: /[èêëœ]|\b(?:qu|j|l|d|n|c)['’]/,
}

const ARABIC = /[\u0600-\u06ff\u0750-\u077f]/g
const LATIN = /[a-z\u00c0-\u024f]/gi

/**
 * The language a text is written in, among {@link LANGS}, or `undefined` when it gives too little
 * evidence (one or two words, product names): the caller then falls back on the visitor's
 * browser locale or the knowledge base's language.
 */
export function detectLanguage(text: string): Lang | undefined {
  const sample = text.slice(0, 2000)
  // The same texts come back message after message (a thread's earlier turns, the question the
  // reply and the retrieval both read): each is read once.
  const known = detected.get(sample)
  if (known !== undefined) return known ?? undefined
  const lang = detectInSample(sample)
  detected.set(sample, lang ?? null)
  return lang
}

const detected = new Lru<string, Lang | null>(128)

function detectInSample(sample: string): Lang | undefined {
  const arabic = sample.match(ARABIC)?.length ?? 0
  const latin = sample.match(LATIN)?.length ?? 0
  if (arabic > 0 && arabic >= latin) return 'ar'
  const lower = sample.toLowerCase()
  const words = lower
    .replace(/['’]/g, '')
    .split(/[^\p{L}]+/u)
    .filter(Boolean)
  const scores = new Map<Lang, number>()
  for (const w of words)
    for (const [lang, set] of Object.entries(MARKERS) as [Lang, ReadonlySet<string>][])
      if (set.has(w)) scores.set(lang, (scores.get(lang) ?? 0) + 1)
  for (const [lang, re] of Object.entries(LETTERS) as [Lang, RegExp][])
    if (re.test(lower)) scores.set(lang, (scores.get(lang) ?? 0) + 1.5)
  let best: Lang | undefined
  let top = 0
  let second = 0
  for (const [lang, score] of scores) {
    if (score > top) {
      second = top
      top = score
      best = lang
    } else if (score > second) second = score
  }
  return best !== undefined && top >= 1 && top > second ? best : undefined
}

/** The supported language of a BCP-47 locale ("pt-BR" → "pt"), if it is one. */
export function langOfLocale(locale: string | undefined): Lang | undefined {
  const base = locale?.split(/[-_]/)[0]?.toLowerCase()
  return (LANGS as readonly string[]).includes(base ?? '') ? (base as Lang) : undefined
}

/** A language's name in another language ("English" in Arabic: "الإنجليزية"). */
export function languageName(lang: Lang, inLang: Lang): string {
  try {
    return new Intl.DisplayNames([inLang], { type: 'language' }).of(lang) ?? lang
  } catch {
    return lang
  }
}
