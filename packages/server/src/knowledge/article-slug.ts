/** Longest article or Help Center slug. */
export const ARTICLE_SLUG_MAX = 80

/** A slug as the API accepts it: lowercase letters and digits in groups joined by single hyphens. */
export function isArticleSlug(s: string): boolean {
  if (s.length === 0 || s.length > ARTICLE_SLUG_MAX) return false
  // One pass, no backtracking: every character is [a-z0-9-], no leading/trailing/double hyphen.
  let prevHyphen = true
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const hyphen = c === 45
    if (hyphen) {
      if (prevHyphen) return false
    } else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) return false
    prevHyphen = hyphen
  }
  return !prevHyphen
}

/**
 * A title as a slug: accents dropped (`Café` → `cafe`), letters and digits kept (other scripts
 * too are dropped, as URLs would percent-encode them), every other run of characters one hyphen,
 * at most {@link ARTICLE_SLUG_MAX} characters. `article` when nothing is left.
 */
export function slugify(title: string, max = ARTICLE_SLUG_MAX): string {
  const plain = title.normalize('NFKD').toLowerCase()
  let out = ''
  let pendingHyphen = false
  for (const ch of plain) {
    const c = ch.charCodeAt(0)
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      if (pendingHyphen && out.length > 0) out += '-'
      pendingHyphen = false
      out += ch
      if (out.length >= max) break
    } else if (c >= 0x300 && c <= 0x36f) {
      // a combining accent of the letter before it
    } else {
      pendingHyphen = true
    }
  }
  out = out.slice(0, max)
  while (out.endsWith('-')) out = out.slice(0, -1)
  return out === '' ? 'article' : out
}

/**
 * `base`, or `base-2`, `base-3`… — the first not in `taken` (kept within
 * {@link ARTICLE_SLUG_MAX} characters).
 */
export function uniqueSlug(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base
  for (let n = 2; ; n++) {
    const suffix = `-${n}`
    let stem = base.slice(0, ARTICLE_SLUG_MAX - suffix.length)
    while (stem.endsWith('-')) stem = stem.slice(0, -1)
    const candidate = `${stem}${suffix}`
    if (!taken.has(candidate)) return candidate
  }
}
