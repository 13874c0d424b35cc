import type { Lang } from '../../knowledge/language.ts'
import { ar } from './ar.ts'
import { de } from './de.ts'
import { en, type Phrases } from './en.ts'
import { es } from './es.ts'
import { fr } from './fr.ts'
import { pt } from './pt.ts'

export type { Phrases } from './en.ts'

/** The built-in agent's sentences in every language it answers in. */
export const PHRASES: Record<Lang, Phrases> = { en, de, fr, es, pt, ar }

/** `PHRASES[lang][key]` with its `{placeholders}` filled. */
export function say(lang: Lang, key: keyof Phrases, vars: Record<string, string> = {}): string {
  return PHRASES[lang][key].replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m)
}
