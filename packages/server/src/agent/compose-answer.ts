import type { IndexedArticle, TenantKnowledge } from '../knowledge/knowledge-base.ts'
import type { Passage } from '../knowledge/passages.ts'
import type { SmallTalk } from './intents.ts'
import { bestPassage, passageSaid, type Retrieval, scorePassages } from './retrieval.ts'

/** `chat` answers use short lists and a "Source:" line; `voice` answers are speakable sentences. */
export type AnswerStyle = 'chat' | 'voice'

const MAX_SECTION_CHARS = 1400
const MAX_INTRO_CHARS = 450
const MAX_VOICE_STEPS = 6

/** The built-in agent's reply text for a retrieval (the article's most relevant section). */
export function composeAnswer(
  kb: TenantKnowledge,
  r: Retrieval,
  style: AnswerStyle,
): { text: string; article: IndexedArticle | undefined } {
  const article = r.article
  if (!article) return { text: composeNotFound(kb, r, style), article: undefined }

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
      lead = "Sorry that didn't sort it out."
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
  if (exhausted) {
    const others = sections.filter((p) => !said(p)).map((p) => p.heading!)
    if (r.groups.length > 0 && others.length > 0) {
      parts.push(
        `Our article "${article.title}" doesn't cover that specifically. It does cover: ${others.join('; ')}.`,
      )
    } else {
      parts.push(
        `That's everything our article "${article.title}" covers. If it still isn't working, a member of the support team should take a look: your conversation is saved here, so they can pick it up.`,
      )
    }
  } else if (chosen) {
    if (lead) parts.push(lead)
    parts.push(formatPassage(chosen, style, chosen === intro))
    if (!r.followUp) {
      const more = sections.filter((p) => p !== chosen && p.heading).map((p) => p.heading!)
      if (more.length > 0) {
        parts.push(
          style === 'voice'
            ? `The article also covers ${joinOr(more.slice(0, 3).map(lowerFirst))}.`
            : `This article also covers: ${more.slice(0, 5).join('; ')}. Just ask.`,
        )
      }
    }
  }
  parts.push(
    style === 'voice'
      ? `That's from our help article "${article.title}".`
      : `Source: ${article.title}`,
  )
  return { text: parts.join('\n\n'), article }
}

function formatPassage(p: Passage, style: AnswerStyle, isIntro: boolean): string {
  const text = truncateAtLine(p.text, MAX_SECTION_CHARS)
  const heading = p.heading && !isIntro ? p.heading : undefined
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

function joinOr(items: string[]): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`
}

/** Titles to offer when nothing matched: the nearest misses first, then the rest. */
export function suggestedTitles(kb: TenantKnowledge, r: Retrieval | undefined, max = 5): string[] {
  const out: string[] = []
  for (const h of r?.hits ?? []) if (!out.includes(h.article.title)) out.push(h.article.title)
  for (const t of kb.titles()) if (!out.includes(t)) out.push(t)
  return out.slice(0, max)
}

function topicList(titles: string[], style: AnswerStyle): string {
  return style === 'voice' ? joinOr(titles) : titles.map((t) => `- ${t}`).join('\n')
}

function composeNotFound(kb: TenantKnowledge, r: Retrieval, style: AnswerStyle): string {
  if (kb.size === 0) {
    return "I couldn't find that: there are no help articles here yet. Your message is saved, so a member of the support team can reply here."
  }
  const titles = suggestedTitles(kb, r)
  return style === 'voice'
    ? `I couldn't find that in our help articles. They cover topics like ${topicList(titles, style)}. Could you tell me a bit more?`
    : `I couldn't find that in our help articles. Here is what I can help with:\n${topicList(titles, style)}\n\nCould you rephrase your question or tell me a bit more? If it's something else, your message is saved and the support team can reply here.`
}

/** Replies to greetings, thanks and similar messages. */
export function composeSmallTalk(kb: TenantKnowledge, kind: SmallTalk, style: AnswerStyle): string {
  const titles = suggestedTitles(kb, undefined, 4)
  const offer =
    titles.length === 0
      ? ''
      : style === 'voice'
        ? ` Our help articles cover topics like ${topicList(titles, style)}.`
        : `\nFor example, I can help with:\n${topicList(titles, style)}`
  switch (kind) {
    case 'greeting':
      return `Hi! I'm the virtual help desk assistant. What can I help you with today?${offer}`
    case 'capabilities':
      return titles.length === 0
        ? "I'm the virtual help desk assistant. There are no help articles here yet, but your messages are saved and the support team can reply here."
        : `I'm the virtual help desk assistant: I answer questions from our help articles, step by step.${offer}\n\nJust describe what you need, in your own words.`
    case 'thanks':
      return "You're welcome! Is there anything else I can help you with?"
    case 'resolved':
      return 'Great, glad that sorted it out! If anything else comes up, just ask.'
    case 'goodbye':
      return 'Thanks for chatting. Have a good day, and come back any time you need help!'
    case 'human':
      return "I'm an automated assistant, so I can't transfer you, but this conversation is saved and visible to the support team, and someone can reply to you here. If it's urgent, please contact your support team directly. Meanwhile, tell me what's going on and I'll see if one of our help articles covers it."
  }
}
