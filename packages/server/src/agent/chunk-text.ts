const MAX_CHUNK = 120

/**
 * Splits a reply into sentence- or phrase-sized stream chunks whose concatenation is exactly
 * the input: a chunk ends after a sentence end or a line break (with the whitespace after it),
 * and long sentences are cut after a comma or a space near {@link MAX_CHUNK} characters.
 */
export function chunkText(text: string): string[] {
  const pieces: string[] = []
  let start = 0
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    const sentenceEnd =
      (c === '.' || c === '!' || c === '?') &&
      (i + 1 === text.length || isSpace(text.charCodeAt(i + 1))) &&
      !(c === '.' && notSentenceEnd(text, i))
    if (c === '\n' || sentenceEnd) {
      i++
      while (i < text.length && isSpace(text.charCodeAt(i))) i++
      pieces.push(text.slice(start, i))
      start = i
    } else i++
  }
  if (start < text.length) pieces.push(text.slice(start))

  const out: string[] = []
  for (let rest of pieces) {
    while (rest.length > MAX_CHUNK) {
      const window = rest.slice(0, MAX_CHUNK)
      let at = window.lastIndexOf(', ')
      if (at < MAX_CHUNK / 3) at = window.lastIndexOf(' ')
      if (at <= 0) at = MAX_CHUNK - 1
      out.push(rest.slice(0, at + 1))
      rest = rest.slice(at + 1)
    }
    if (rest !== '') out.push(rest)
  }
  return out
}

// "1. Open…" (a list number) and "e.g. the…" end with a dot but not a sentence.
function notSentenceEnd(text: string, dot: number): boolean {
  let start = dot
  while (start > 0 && !isSpace(text.charCodeAt(start - 1))) start--
  const word = text.slice(start, dot)
  if (/^\d{1,3}$/.test(word) && (start === 0 || text[start - 1] === '\n')) return true
  return /^(?:e\.g|i\.e|approx|vs|no|ext|mr|mrs|ms|dr)$/i.test(word)
}

/** Exactly JavaScript's `\s`, by character code (a regular expression per character is slow). */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d)
  if (c < 0xa0) return false
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  )
}
