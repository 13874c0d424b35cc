import type { Lang } from './language.ts'
import { mentionsTrouble, termSet } from './text.ts'

/** A section (or paragraph) of an article: the unit the built-in agent answers with. */
export interface Passage {
  index: number
  /** Section heading without the `#` marks; `null` for the intro or an unheaded paragraph. */
  heading: string | null
  /** The passage's lines (without the heading), trimmed, blank lines collapsed to one. */
  text: string
  /** Index terms of the heading and of the text. */
  headingTerms: Set<string>
  terms: Set<string>
  /** The heading is about something not working ("If the VPN won't connect", "Still stuck?"). */
  trouble: boolean
}

const HEADING_START = /^\s{0,3}#{1,6}\s+\S/

/**
 * The text of a Markdown `#` heading line, or undefined. Read by hand after the opening
 * hashes: `(.+?)\s*#*\s*$` took cubic time on a long line of spaces.
 */
export function headingOf(line: string): string | undefined {
  const m = HEADING_START.exec(line)
  if (!m) return undefined
  const rest = line.slice(m[0].length - 1).trimEnd()
  let end = rest.length
  while (end > 1 && rest[end - 1] === '#') end--
  return rest.slice(0, end).trimEnd()
}

/**
 * Splits an article body into passages: each `#`-heading starts a section; text before the
 * first heading is the intro. An article without headings is split into paragraphs, a
 * paragraph ending in ":" staying with the list that follows it. Terms are analyzed in `lang`.
 */
export function splitPassages(body: string, lang: Lang = 'en'): Passage[] {
  const lines = body.replace(/\r\n?/g, '\n').split('\n')
  const hasHeadings = lines.some((l) => headingOf(l) !== undefined)
  const raw: { heading: string | null; lines: string[] }[] = []
  if (hasHeadings) {
    let current: { heading: string | null; lines: string[] } = { heading: null, lines: [] }
    for (const line of lines) {
      const heading = headingOf(line)
      if (heading !== undefined) {
        raw.push(current)
        current = { heading: heading.replace(/[*_]+/g, '').trim(), lines: [] }
      } else current.lines.push(line)
    }
    raw.push(current)
  } else {
    let para: string[] = []
    const flush = () => {
      if (para.length > 0) raw.push({ heading: null, lines: para })
      para = []
    }
    for (const line of lines) {
      if (line.trim() === '') {
        const last = para.at(-1)?.trim() ?? ''
        if (!last.endsWith(':')) flush()
      } else para.push(line)
    }
    flush()
  }

  const out: Passage[] = []
  for (const p of raw) {
    const text = p.lines
      .map((l) => l.trimEnd())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
    if (text === '' && p.heading === null) continue
    const heading = p.heading
    out.push({
      index: out.length,
      heading,
      text,
      headingTerms: termSet(heading ?? '', lang),
      terms: termSet(`${heading ?? ''}\n${text}`, lang),
      trouble: heading !== null && (mentionsTrouble(heading) || /\bstuck\b/i.test(heading)),
    })
  }
  return out
}
