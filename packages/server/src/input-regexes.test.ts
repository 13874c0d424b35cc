import { describe, expect, it } from 'vitest'
import { expectLinearTime, repeatTo } from '../../contract/test/linear-time.ts'
import { CitationFilter } from './agent/citation-filter.ts'
import { classifySmallTalk } from './agent/intents.ts'
import { citedTitles, normalizeForCompare } from './agent/retrieval.ts'
import { splitPassages } from './knowledge/passages.ts'
import { tokenize } from './knowledge/text.ts'
import { sanitizeFileName } from './uploads/file-name.ts'

// Each input here reaches a regular expression: article bodies (knowledge API), visitor
// messages (tokenized for retrieval), upload file names. (Asset names are bounded by the
// router: a path parameter over 100 characters is a 414 before any route sees it.) Each takes linear time on
// the patterns that made the former expressions backtrack, up to 256 KB.
describe('linear time on hostile input', () => {
  it('splitPassages: a heading line of spaces (was cubic)', () => {
    expectLinearTime(
      (s) => splitPassages(s),
      (n) => `# a${' '.repeat(n)}b\nText`,
      (n) => `# a${'b'.repeat(n)}\nText`,
    )
  })

  it('splitPassages: many heading lines of trailing hashes', () => {
    expectLinearTime(
      (s) => splitPassages(s),
      (n) => repeatTo(`## x${' #'.repeat(20)}\n`, n),
      (n) => repeatTo(`## x${' y'.repeat(20)}\n`, n),
    )
  })

  it('tokenize: a word of dashes between letters (was quadratic)', () => {
    expectLinearTime(
      (s) => tokenize(s),
      (n) => `a${'-'.repeat(n)}a`,
      (n) => `a${'b'.repeat(n)}a`,
      // Every dash is a split and a replace, the benign word one scan: about 11× per character
      // at every size (linear); a quadratic cost would outgrow any constant by the larger sizes.
      { factor: 30 },
    )
  })

  it('sanitizeFileName: dots between letters (was quadratic)', () => {
    expectLinearTime(
      (s) => sanitizeFileName(s, 'image/png'),
      (n) => `a${'.'.repeat(n)}a`,
      (n) => `a${'b'.repeat(n)}a`,
    )
    expectLinearTime(
      (s) => sanitizeFileName(s, 'image/png'),
      (n) => `a${'. '.repeat(n / 2)}a`,
      (n) => `a${'bc'.repeat(n / 2)}a`,
    )
  })

  // Article text (knowledge API) and model replies reach these.
  it('citedTitles: whitespace runs and unclosed spoken quotes (were quadratic)', () => {
    expectLinearTime(
      (s) => citedTitles(s),
      (n) => `Source:${' '.repeat(n)}x`,
      (n) => `Source:${'y;'.repeat(n / 2)}x`,
    )
    expectLinearTime(
      (s) => citedTitles(s),
      (n) => repeatTo('from our article “ab ', n),
      (n) => repeatTo('from our article ab ', n),
      // Each unclosed quote opens a candidate title: a constant ~13× per character, not a growth.
      { factor: 30 },
    )
  })

  it('classifySmallTalk: long runs of spaces in a visitor message (were quadratic)', () => {
    expectLinearTime(
      (s) => classifySmallTalk(s),
      (n) => `talk to${' '.repeat(n)}x`,
      (n) => `talk to${' y'.repeat(n / 2)}x`,
    )
    expectLinearTime(
      (s) => classifySmallTalk(s),
      (n) => `hi${' '.repeat(n)}x`,
      (n) => `hi${' y'.repeat(n / 2)}x`,
    )
    expect(classifySmallTalk('can I   talk to  a person?')).toBe('human')
  })

  it('normalizeForCompare: runs of line breaks (was quadratic)', () => {
    expectLinearTime(
      (s) => normalizeForCompare(s),
      (n) => `a${'\n'.repeat(n)}a`,
      (n) => `a${'b'.repeat(n)}a`,
    )
  })

  it('CitationFilter: a streamed line of spaces (was quadratic)', () => {
    expectLinearTime(
      (s) => {
        const f = new CitationFilter()
        f.push(s)
        f.end()
      },
      (n) => `Sources: a${' '.repeat(n)}b\n`,
      (n) => `Sources: a${'c'.repeat(n)}b\n`,
    )
  })

  it('keeps what the old expressions did on ordinary input', () => {
    expect(citedTitles('Answer.\n  Sources: Reset password ; VPN setup \nmore')).toEqual([
      'Reset password',
      'VPN setup',
    ])
    expect(citedTitles('That is from our help article "Reset password".')).toEqual([
      'Reset password',
    ])
    expect(normalizeForCompare('1. First step\n- Second, step')).toBe('first step second step')
    const f = new CitationFilter()
    const shown = f.push('The answer.\n**Source:** Reset your password\n') + f.end()
    expect(shown.trim()).toBe('The answer.')
    expect(f.cited).toEqual(['Reset your password'])
    expect(splitPassages('# Reset your password ##\nSteps').map((p) => p.heading)).toContain(
      'Reset your password',
    )
    expect(splitPassages('## *VPN* setup\nx').map((p) => p.heading)).toContain('VPN setup')
    expect(tokenize("--don't-- /wi-fi/ it's")).toEqual(['dont', 'wi', 'fi', 'wifi', 'it'])
    expect(sanitizeFileName(' ..report. .pdf. ', 'application/pdf')).toBe('report. .pdf')
  })
})
