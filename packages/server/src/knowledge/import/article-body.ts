import { ARTICLE_LIMITS } from '@aurion/contract'

/**
 * An imported text as an article body within the article limit: cut at the last paragraph (or
 * line) break before it when longer, so no section ends mid-sentence.
 */
export function articleBody(text: string, max: number = ARTICLE_LIMITS.body.max): string {
  const clean = text
    .replace(/\r\n?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
  if (clean.length <= max) return clean
  const head = clean.slice(0, max)
  const para = head.lastIndexOf('\n\n')
  const line = head.lastIndexOf('\n')
  const cut = para > max * 0.5 ? para : line > max * 0.5 ? line : head.lastIndexOf(' ')
  return head.slice(0, cut > 0 ? cut : max).trim()
}

/**
 * A long imported document as several article bodies, each within the limit, split at `## `
 * sections where it can (a section keeps its heading), else at paragraph breaks.
 */
export function splitArticleBodies(
  text: string,
  max: number = ARTICLE_LIMITS.body.max,
  maxParts = 20,
): string[] {
  const clean = text
    .replace(/\r\n?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
  const parts: string[] = []
  let rest = clean
  while (rest.length > max && parts.length < maxParts - 1) {
    const head = rest.slice(0, max)
    const section = head.lastIndexOf('\n#')
    const para = head.lastIndexOf('\n\n')
    const cut =
      section > max * 0.3 ? section : para > max * 0.3 ? para : articleBody(head, max).length
    parts.push(rest.slice(0, cut).trim())
    rest = rest.slice(cut).trim()
  }
  parts.push(articleBody(rest, max))
  return parts.filter((p) => p !== '')
}
