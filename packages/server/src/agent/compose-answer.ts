import type { IndexedArticle, TenantKnowledge } from '../knowledge/knowledge-base.ts'
import { type Lang, languageName } from '../knowledge/language.ts'
import type { Passage } from '../knowledge/passages.ts'
import { oncePer } from '../memo.ts'
import type { SmallTalk } from './intents.ts'
import { say } from './phrases/index.ts'
import {
  bestPassage,
  normalizedHeading,
  normalizeForCompare,
  passageSaid,
  type Retrieval,
  scorePassages,
} from './retrieval.ts'

/** `chat` answers are text plus structured sources and follow-ups; `voice` answers are speakable sentences. */
export type AnswerStyle = 'chat' | 'voice'

/** How to say it: spoken or written, and in which language. */
export interface ComposeOptions {
  style: AnswerStyle
  lang: Lang
}

/** A composed reply: its text, the article it cites, and questions to offer next (chat). */
export interface Answer {
  text: string
  article?: IndexedArticle | undefined
  followUps: string[]
}

const MAX_SECTION_CHARS = 1400
const MAX_INTRO_CHARS = 450
const MAX_VOICE_STEPS = 6
const MAX_FOLLOW_UPS = 5

/**
 * The built-in agent's reply for a retrieval: the article's most relevant section. In chat the
 * article's other sections become follow-ups and the source is left to the reply's structured
 * sources; spoken, both are said in words.
 */
export function composeAnswer(kb: TenantKnowledge, r: Retrieval, o: ComposeOptions): Answer {
  const article = r.article
  if (!article) return composeNotFound(kb, r, o)
  const { style, lang } = o

  const passages = article.passages()
  const scores = scorePassages(article, r.groups, r.trouble)
  const said = (p: Passage) => passageSaid(p, r.saidBefore)
  const order = passages
    .map((p, i) => ({ p, score: scores[i]! }))
    .sort((a, b) => b.score - a.score || a.p.index - b.p.index)

  const intro = passages[0]?.heading === null ? passages[0] : undefined
  const sections = passages.filter((p) => p !== intro)
  let chosen: Passage | undefined
  let lead: string | undefined
  let exhausted = false

  if (r.followUp) {
    const fresh = order.filter((x) => !said(x.p) && x.p !== intro)
    const best = fresh[0]
    if (best && best.score > 0) chosen = best.p
    else if (r.trouble) chosen = fresh.find((x) => x.p.trouble)?.p
    else if (r.groups.length === 0) chosen = sections.find((p) => !said(p))
    if (!chosen) {
      // A specific question the article does not answer, or everything was said already.
      exhausted = true
    } else if (r.trouble) {
      lead = say(lang, 'troubleLead')
    }
  } else {
    chosen = bestPassage(article, r.groups, r.trouble)
    if (intro && chosen !== intro && intro.text.length <= MAX_INTRO_CHARS) {
      // Spoken answers stay short: the intro's first sentence sets the scene.
      lead =
        style === 'voice' ? (/^.+?[.!?](?=\s|$)/s.exec(intro.text)?.[0] ?? intro.text) : intro.text
    }
  }

  const parts: string[] = []
  const others = sections.filter((p) => p !== chosen && p.heading !== null && !said(p))
  let followUps: string[] = []
  if (exhausted) {
    if (r.groups.length > 0 && others.length > 0) {
      if (style === 'voice') {
        const topics = joinOr(
          others.map((p) => p.heading!),
          lang,
        )
        parts.push(say(lang, 'notCoveredVoice', { title: article.title, topics }))
      } else {
        parts.push(say(lang, 'notCovered', { title: article.title }))
        followUps = others.map((p) => p.heading!)
      }
    } else {
      parts.push(say(lang, 'exhausted', { title: article.title }))
    }
  } else if (chosen) {
    if (lead) parts.push(lead)
    parts.push(formatPassage(chosen, style, chosen === intro || repeatsQuestion(chosen, r)))
    if (style === 'chat') followUps = others.map((p) => p.heading!)
    else if (!r.followUp && others.length > 0) {
      const topics = joinOr(
        others.slice(0, 3).map((p) => lowerFirst(p.heading!)),
        lang,
      )
      parts.push(say(lang, 'alsoCoversVoice', { topics }))
    }
  }
  if (style === 'voice') parts.push(say(lang, 'sourceVoice', { title: article.title }))
  return { text: parts.join('\n\n'), article, followUps: followUps.slice(0, MAX_FOLLOW_UPS) }
}

/** The visitor asked for this very section ("Monthly plans"): its heading would only echo them. */
function repeatsQuestion(p: Passage, r: Retrieval): boolean {
  return (
    r.followUp && p.heading !== null && normalizedHeading(p) === normalizeForCompare(r.question)
  )
}

// Passages are immutable (a knowledge revision builds new ones): what depends on one alone is
// worked out once, not at every answer that quotes it.
/** The passage as quoted (cut at a line), and whether it opens with its own heading. */
const shownText = oncePer((p: Passage): { text: string; echoed: boolean } => {
  const text = truncateAtLine(p.text, MAX_SECTION_CHARS)
  const heading = normalizedHeading(p)
  return { text, echoed: heading !== null && normalizeForCompare(text).startsWith(heading) }
})

function formatPassage(p: Passage, style: AnswerStyle, omitHeading: boolean): string {
  // "Monthly plans: Monthly plans are…": a section that opens with its heading needs no label.
  const { text, echoed } = shownText(p)
  const heading = p.heading && !omitHeading && !echoed ? p.heading : undefined
  if (style === 'chat') {
    if (!heading) return text
    return `${/[:?!.]$/.test(heading) ? heading : `${heading}:`}\n${text}`
  }
  const lines = text
    .split('\n')
    .map((l) => l.replace(/^\s*(?:\d+[.)]|[-*•])\s+/, '').trim())
    .filter(Boolean)
    .slice(0, MAX_VOICE_STEPS)
    .map((l) => (/[.!?:]$/.test(l) ? l : `${l}.`))
  const spoken = lines.join(' ').replace(/\s*›\s*/g, ', then ')
  return heading ? `${heading.replace(/[:?]$/, '')}: ${spoken}` : spoken
}

function truncateAtLine(text: string, max: number): string {
  if (text.length <= max) return text
  const cut = text.slice(0, max)
  const at = cut.lastIndexOf('\n')
  return (at > max / 2 ? cut.slice(0, at) : cut.replace(/\s+\S*$/, '')).trimEnd()
}

function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s
}

function joinOr(items: string[], lang: Lang): string {
  if (items.length <= 1) return items.join('')
  const comma = lang === 'ar' ? '، ' : ', '
  return `${items.slice(0, -1).join(comma)} ${say(lang, 'or')} ${items.at(-1)}`
}

/** Titles to offer when nothing matched: the nearest misses first, then the rest. */
export function suggestedTitles(kb: TenantKnowledge, r: Retrieval | undefined, max = 5): string[] {
  const out: string[] = []
  for (const h of r?.hits ?? []) if (!out.includes(h.article.title)) out.push(h.article.title)
  for (const t of kb.titles()) if (!out.includes(t)) out.push(t)
  return out.slice(0, max)
}

function composeNotFound(kb: TenantKnowledge, r: Retrieval, o: ComposeOptions): Answer {
  const { style, lang } = o
  if (kb.size === 0) return { text: say(lang, 'noArticles'), followUps: [] }
  const titles = suggestedTitles(kb, r)
  if (!kb.languages.includes(r.lang)) {
    // Asked in a language no article is written in: say so, in the visitor's language.
    const languages = joinOr(
      kb.languages.map((l) => languageName(l, lang)),
      lang,
    )
    const text = say(lang, 'otherLanguage', { languages, language: languageName(r.lang, lang) })
    return { text, followUps: style === 'chat' ? titles : [] }
  }
  return style === 'voice'
    ? { text: say(lang, 'notFoundVoice', { topics: joinOr(titles, lang) }), followUps: [] }
    : { text: say(lang, 'notFound'), followUps: titles }
}

/** Replies to greetings, thanks and similar messages. */
export function composeSmallTalk(kb: TenantKnowledge, kind: SmallTalk, o: ComposeOptions): Answer {
  const { style, lang } = o
  const titles = suggestedTitles(kb, undefined, 4)
  const offer = (text: string): Answer =>
    titles.length === 0
      ? { text, followUps: [] }
      : style === 'voice'
        ? {
            text: `${text} ${say(lang, 'topicsVoice', { topics: joinOr(titles, lang) })}`,
            followUps: [],
          }
        : { text, followUps: titles }
  switch (kind) {
    case 'greeting':
      return offer(say(lang, 'greeting'))
    case 'capabilities':
      return titles.length === 0
        ? { text: say(lang, 'capabilitiesEmpty'), followUps: [] }
        : offer(say(lang, 'capabilities'))
    default:
      return { text: say(lang, kind), followUps: [] }
  }
}
