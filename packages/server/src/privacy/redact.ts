/**
 * Masks personal data in free text: email addresses, payment card numbers (Luhn-checked),
 * IBANs (mod-97-checked) and phone numbers. One left-to-right pass with bounded look-ahead and
 * no regular expressions, so the time is linear in the text whatever it holds.
 */

export const MASKS = {
  email: '[email]',
  card: '[card]',
  iban: '[iban]',
  phone: '[phone]',
} as const
export type PiiKind = keyof typeof MASKS

export interface PiiMatch {
  kind: PiiKind
  start: number
  end: number
}

const isDigit = (c: number) => c >= 48 && c <= 57
const isUpper = (c: number) => c >= 65 && c <= 90
const isLower = (c: number) => c >= 97 && c <= 122
const isAlnum = (c: number) => isDigit(c) || isUpper(c) || isLower(c)
const isLocalChar = (c: number) =>
  isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45 // . _ % + -
const isDomainChar = (c: number) => isAlnum(c) || c === 46 || c === 45 // . -

/** The personal data found in `text`, in order, not overlapping. */
export function findPii(text: string): PiiMatch[] {
  const out: PiiMatch[] = []
  const n = text.length
  let i = 0
  // Where the previous match (or '@' scan) ended: an email's local part never reaches before it.
  let floor = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 64) {
      const m = emailAt(text, i, floor)
      if (m) {
        // An email's local part may already have been taken for a number: drop that.
        while (out.length > 0 && out[out.length - 1]!.end > m.start) out.pop()
        out.push(m)
        i = floor = m.end
        continue
      }
      i++
      floor = i
      continue
    }
    const prev = i > 0 ? text.charCodeAt(i - 1) : 32
    if (isUpper(c) && !isAlnum(prev)) {
      const end = ibanAt(text, i)
      if (end > 0) {
        out.push({ kind: 'iban', start: i, end })
        i = floor = end
        continue
      }
      if (end < 0) {
        // Shaped like an IBAN but failing its check: none of its digits are anything else.
        i = -end
        continue
      }
    }
    const lead = (c === 43 || c === 40) && i + 1 < n && isDigit(text.charCodeAt(i + 1))
    // `ORD-1234`: digits glued to a word by a hyphen are part of an identifier.
    const glued = prev === 45 && i > 1 && isAlnum(text.charCodeAt(i - 2))
    if ((isDigit(c) || lead) && !isAlnum(prev) && !glued) {
      const m = numberAt(text, i)
      if (m.kind) out.push({ kind: m.kind, start: i, end: m.end })
      i = m.end
      continue
    }
    i++
  }
  return out
}

/** `text` with every match replaced by its mask. */
export function redactPii(text: string): string {
  const found = findPii(text)
  if (found.length === 0) return text
  let out = ''
  let at = 0
  for (const m of found) {
    out += text.slice(at, m.start) + MASKS[m.kind]
    at = m.end
  }
  return out + text.slice(at)
}

function emailAt(text: string, at: number, floor: number): PiiMatch | undefined {
  let start = at
  while (start > floor && isLocalChar(text.charCodeAt(start - 1))) start--
  while (start < at && text.charCodeAt(start) === 46) start++
  if (start === at) return undefined
  let end = at + 1
  while (end < text.length && isDomainChar(text.charCodeAt(end))) end++
  while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--
  const domain = text.slice(at + 1, end)
  const dot = domain.lastIndexOf('.')
  if (dot <= 0) return undefined
  const tld = domain.slice(dot + 1)
  if (tld.length < 2) return undefined
  for (let k = 0; k < tld.length; k++) {
    const ch = tld.charCodeAt(k)
    if (!isUpper(ch) && !isLower(ch)) return undefined
  }
  return { kind: 'email', start, end }
}

/**
 * A run of digits with single spaces, hyphens, dots or parentheses between them (and a leading
 * `+` or `(`): a card number when it has 13–19 digits passing Luhn, a phone number when it has
 * 9–12 digits (7–15 after a `+`; without separators at least 10). Anything else is skipped
 * whole. Two numbers separated by a single space read as one run.
 */
function numberAt(text: string, at: number): { kind?: PiiKind; end: number } {
  const n = text.length
  let i = at
  const plus = text.charCodeAt(i) === 43
  if (plus || text.charCodeAt(i) === 40) i++
  const digits: number[] = []
  let count = 0
  let end = i
  let separators = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    if (isDigit(c)) {
      // Longer than any card or phone number: only counted, not kept.
      if (digits.length < 20) digits.push(c - 48)
      else count++
      i++
      end = i
      continue
    }
    const next = i + 1 < n ? text.charCodeAt(i + 1) : 0
    const isSep = c === 32 || c === 45 || c === 46 || c === 40 || c === 41
    if (isSep && (isDigit(next) || (c === 32 && next === 40) || (c === 41 && next === 32))) {
      separators++
      i++
      continue
    }
    break
  }
  // A number glued to letters (an order id, a version) is not personal data.
  if (end < n && isAlnum(text.charCodeAt(end))) {
    while (end < n && isAlnum(text.charCodeAt(end))) end++
    return { end }
  }
  count += digits.length
  if (!plus && count >= 13 && count <= 19 && luhn(digits)) return { kind: 'card', end }
  if (
    count >= (plus ? 7 : 9) &&
    count <= (plus ? 15 : 12) &&
    (plus || separators > 0 || count >= 10)
  ) {
    return { kind: 'phone', end }
  }
  return { end: Math.max(end, at + 1) }
}

function luhn(digits: number[]): boolean {
  let sum = 0
  for (let k = 0; k < digits.length; k++) {
    let d = digits[digits.length - 1 - k]!
    if (k % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

const IBAN_MAX = 34
const IBAN_MIN = 15

/** End of an IBAN starting at `at` (country letters, check digits, BBAN; groups of 4 may be spaced), else 0. */
function ibanAt(text: string, at: number): number {
  const n = text.length
  if (at + 4 > n) return 0
  const c1 = text.charCodeAt(at + 1)
  if (!isUpper(c1) || !isDigit(text.charCodeAt(at + 2)) || !isDigit(text.charCodeAt(at + 3)))
    return 0
  let chars = ''
  const ends: number[] = []
  let i = at
  while (i < n && chars.length < IBAN_MAX) {
    const c = text.charCodeAt(i)
    if (isDigit(c) || isUpper(c)) {
      chars += text[i]
      i++
      ends[chars.length] = i
      continue
    }
    if (
      c === 32 &&
      i + 1 < n &&
      (isDigit(text.charCodeAt(i + 1)) || isUpper(text.charCodeAt(i + 1)))
    ) {
      i++
      continue
    }
    break
  }
  // The longest valid prefix that ends at a word boundary (bounded: at most 34 tries).
  for (let len = chars.length; len >= IBAN_MIN; len--) {
    const e = ends[len]!
    if (e < n && isAlnum(text.charCodeAt(e))) continue
    if (mod97(chars.slice(0, len)) === 1) return e
  }
  return chars.length >= IBAN_MIN ? -(ends[chars.length] ?? at + 1) : 0
}

function mod97(iban: string): number {
  const s = iban.slice(4) + iban.slice(0, 4)
  let r = 0
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k)
    if (isDigit(c)) r = (r * 10 + (c - 48)) % 97
    else r = (r * 100 + (c - 55)) % 97
  }
  return r
}
