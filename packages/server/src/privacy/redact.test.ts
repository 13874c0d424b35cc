import { describe, expect, it } from 'vitest'
import { expectLinearTime, repeatTo } from '../../../contract/test/linear-time.ts'
import { generateCorpus } from './pii-corpus.ts'
import { findPii, type PiiKind, redactPii } from './redact.ts'

describe('redactPii', () => {
  it.each([
    ['mail me at jane.doe+x@example.co.uk now', 'mail me at [email] now'],
    ['card 4111 1111 1111 1111 thanks', 'card [card] thanks'],
    ['card 4111-1111-1111-1111', 'card [card]'],
    ['card 4111111111111112 (typo)', 'card 4111111111111112 (typo)'],
    ['IBAN DE89 3704 0044 0532 0130 00.', 'IBAN [iban].'],
    ['IBAN GB82WEST12345698765432', 'IBAN [iban]'],
    ['IBAN DE89 3704 0044 0532 0130 01', 'IBAN DE89 3704 0044 0532 0130 01'],
    ['call +49 30 1234567 or (555) 123-4567', 'call [phone] or [phone]'],
    [
      'order 12345678 on 2026-12-06 at 10:30, v1.2.3, 19.99 EUR',
      'order 12345678 on 2026-12-06 at 10:30, v1.2.3, 19.99 EUR',
    ],
    ['ORD-4111111111111111x and abc123@', 'ORD-4111111111111111x and abc123@'],
    ['no pii here', 'no pii here'],
  ])('%s', (input, expected) => {
    expect(redactPii(input)).toBe(expected)
  })

  it('finds nothing in an empty or odd string and never throws', () => {
    for (const s of ['', '@', '@@', 'a@', '@b.c', '+', '++1', '((((', '.@.', 'A', 'DE', 'DE89']) {
      expect(() => redactPii(s)).not.toThrow()
    }
    expect(redactPii('@b.co')).toBe('@b.co')
  })

  it('takes linear time on hostile input', () => {
    const cases: [string, (n: number) => string][] = [
      ['runs of @', (n) => '@'.repeat(n)],
      ['a long local part and no domain', (n) => `${'a'.repeat(n)}@`],
      ['many a@ pairs', (n) => repeatTo('a@', n)],
      ['a long domain with no dot', (n) => `a@${'b'.repeat(n)}`],
      ['one long digit run', (n) => '1'.repeat(n)],
      ['digits split by single spaces', (n) => repeatTo('1 ', n)],
      ['IBAN starts over and over', (n) => repeatTo('DE89 ', n)],
      ['IBAN-like letters', (n) => repeatTo('DE89ABCD', n)],
      ['plus signs and digits', (n) => repeatTo('+1 ', n)],
      ['parentheses', (n) => repeatTo('(1) ', n)],
    ]
    for (const [name, adversarial] of cases) {
      try {
        expectLinearTime(
          (s) => redactPii(s),
          adversarial,
          (n) => repeatTo('a b 1 c@d ', n),
          { factor: 20 },
        )
      } catch (err) {
        throw new Error(`${name}: ${(err as Error).message}`)
      }
    }
  })

  it('precision and recall on a generated set', () => {
    const corpus = generateCorpus(3000)
    const kinds: PiiKind[] = ['email', 'card', 'iban', 'phone']
    const stat = Object.fromEntries(kinds.map((k) => [k, { tp: 0, fp: 0, fn: 0 }])) as Record<
      PiiKind,
      { tp: number; fp: number; fn: number }
    >
    for (const { text, spans } of corpus) {
      const found = findPii(text)
      const key = (s: { kind: string; start: number; end: number }) =>
        `${s.kind}:${s.start}:${s.end}`
      const expected = new Set(spans.map(key))
      const got = new Set(found.map(key))
      for (const s of found) {
        if (expected.has(key(s))) stat[s.kind].tp++
        else stat[s.kind].fp++
      }
      for (const s of spans) if (!got.has(key(s))) stat[s.kind].fn++
    }
    const misses = corpus
      .flatMap(({ text, spans }) => {
        const f = findPii(text).map((m) => `${m.kind}:${text.slice(m.start, m.end)}`)
        const e = spans.map((m) => `${m.kind}:${text.slice(m.start, m.end)}`)
        return f.join('|') === e.join('|')
          ? []
          : [`${text} => got ${f.join('|')} want ${e.join('|')}`]
      })
      .slice(0, 8)
    if (process.env.PII_DEBUG) console.log(misses.join('\n'))
    const lines: string[] = []
    let tp = 0
    let fp = 0
    let fn = 0
    for (const k of kinds) {
      const s = stat[k]
      tp += s.tp
      fp += s.fp
      fn += s.fn
      const precision = s.tp / (s.tp + s.fp)
      const recall = s.tp / (s.tp + s.fn)
      lines.push(
        `${k}: precision ${precision.toFixed(4)} recall ${recall.toFixed(4)} (${s.tp + s.fn} values)`,
      )
      expect(precision, k).toBeGreaterThanOrEqual(0.97)
      expect(recall, k).toBeGreaterThanOrEqual(0.97)
    }
    lines.push(
      `all: precision ${(tp / (tp + fp)).toFixed(4)} recall ${(tp / (tp + fn)).toFixed(4)}`,
    )
    console.log(`PII redaction on ${corpus.length} generated sentences\n${lines.join('\n')}`)
  })
})
