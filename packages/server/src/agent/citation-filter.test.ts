import { describe, expect, it } from 'vitest'
import { CitationFilter } from './citation-filter.ts'

function run(chunks: string[]) {
  const f = new CitationFilter()
  const shown: string[] = []
  for (const c of chunks) shown.push(f.push(c))
  shown.push(f.end())
  return { text: shown.join(''), shown, cited: f.cited }
}

describe('CitationFilter', () => {
  it('drops the final "Source:" line and the blank lines before it, keeping the titles', () => {
    const r = run(['Open the IT portal.\n', '\nSo', 'urce: Reset your pass', 'word; Unlock'])
    expect(r.text).toBe('Open the IT portal.')
    expect(r.cited).toEqual(['Reset your password', 'Unlock'])
  })

  it('passes other text through as it comes', () => {
    const r = run(['Some', ' sources say', '\nSou', 'p is ready.'])
    expect(r.shown.slice(0, 2)).toEqual(['Some', ' sources say'])
    expect(r.text).toBe('Some sources say\nSoup is ready.')
    expect(r.cited).toEqual([])
  })

  it('keeps a "Source:" in the middle of a line, and a bold citation is recognised', () => {
    expect(run(['See the Source: panel.']).text).toBe('See the Source: panel.')
    const bold = run(['Done.\n\n**Source:** "Connect to the VPN"\n'])
    expect(bold.text).toBe('Done.')
    expect(bold.cited).toEqual(['Connect to the VPN'])
  })

  it('keeps blank lines between paragraphs', () => {
    expect(run(['One.\n\nTwo.\n\n', 'Three.']).text).toBe('One.\n\nTwo.\n\nThree.')
  })
})
