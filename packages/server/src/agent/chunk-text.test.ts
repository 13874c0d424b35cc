import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chunkText } from './chunk-text.ts'

describe('chunkText', () => {
  it('cuts after sentences and lines, keeping the whitespace with the chunk before', () => {
    expect(chunkText('Hi there. How are you?\n\n1. Open it.\n2. Close it.\nSource: X')).toEqual([
      'Hi there. ',
      'How are you?\n\n',
      '1. Open it.\n',
      '2. Close it.\n',
      'Source: X',
    ])
  })

  it('does not cut inside host names, list numbers or abbreviations', () => {
    expect(chunkText('Enter vpn.company.example, e.g. on Windows. Done.')).toEqual([
      'Enter vpn.company.example, e.g. on Windows. ',
      'Done.',
    ])
  })

  it('takes any Unicode white space after a sentence end, and only white space', () => {
    // Exactly what /\s/ matches (the cut is found by character code).
    const spaces = Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c)).filter((ch) =>
      /\s/.test(ch),
    )
    expect(spaces).toHaveLength(25)
    for (const sp of spaces)
      expect(chunkText(`Done.${sp}${sp}Next`)).toEqual([`Done.${sp}${sp}`, 'Next'])
    for (const ch of ['\u200b', '\u180e', 'x', '\u0085'])
      expect(chunkText(`Done.${ch}Next`)).toEqual([`Done.${ch}Next`])
  })

  it('cuts a long sentence into phrases', () => {
    const long = `${'word, '.repeat(40)}end.`
    const chunks = chunkText(long)
    expect(chunks.length).toBeGreaterThan(1)
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(120)
    expect(chunks.join('')).toBe(long)
  })

  it('loses nothing and keeps every chunk small, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 600 }), (text) => {
        const chunks = chunkText(text)
        expect(chunks.join('')).toBe(text)
        for (const c of chunks) {
          expect(c).not.toBe('')
          expect(c.length).toBeLessThanOrEqual(120)
        }
      }),
    )
  })
})
