import { describe, expect, it } from 'vitest'
import { type Inline, parseInline, parseMarkdown, safeHref, toPlainText } from './markdown.ts'

const links = (nodes: Inline[]): string[] =>
  nodes.flatMap((n) => (n.t === 'a' ? [n.href] : 'c' in n ? links(n.c) : []))

describe('safeHref', () => {
  it.each([
    ['https://example.com/a?b=1', 'https://example.com/a?b=1'],
    ['http://example.com', 'http://example.com/'],
    ['mailto:help@example.com', 'mailto:help@example.com'],
    ['  HTTPS://EXAMPLE.COM ', 'https://example.com/'],
  ])('keeps %s', (raw, href) => expect(safeHref(raw)).toBe(href))

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    '//evil.test/x',
    '/relative/path',
    'file:///etc/passwd',
    'https://',
  ])('refuses %s', (raw) => expect(safeHref(raw)).toBeUndefined())
})

describe('parseInline', () => {
  it('parses bold, italic, code and links', () => {
    expect(parseInline('a **b** *c* _d_ `e` [f](https://x.test/f)')).toEqual([
      { t: 'text', v: 'a ' },
      { t: 'b', c: [{ t: 'text', v: 'b' }] },
      { t: 'text', v: ' ' },
      { t: 'i', c: [{ t: 'text', v: 'c' }] },
      { t: 'text', v: ' ' },
      { t: 'i', c: [{ t: 'text', v: 'd' }] },
      { t: 'text', v: ' ' },
      { t: 'code', v: 'e' },
      { t: 'text', v: ' ' },
      { t: 'a', href: 'https://x.test/f', c: [{ t: 'text', v: 'f' }] },
    ])
  })

  it('keeps HTML as literal text', () => {
    const html = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    expect(parseInline(html)).toEqual([{ t: 'text', v: html }])
  })

  it('renders a javascript: link as its literal text, not a link', () => {
    const nodes = parseInline('click [here](javascript:alert(1)) now')
    expect(links(nodes)).toEqual([])
    expect(nodes.map((n) => (n.t === 'text' ? n.v : '')).join('')).toContain('[here]')
  })

  it('autolinks bare http(s) URLs without trailing punctuation', () => {
    const nodes = parseInline('See https://help.example.com/vpn. Or mail us.')
    expect(links(nodes)).toEqual(['https://help.example.com/vpn'])
    expect(nodes.at(-1)).toEqual({ t: 'text', v: '. Or mail us.' })
  })

  it('leaves snake_case and __dunder__ names alone', () => {
    expect(parseInline('window.__xss=1 and __init__')).toEqual([
      { t: 'text', v: 'window.__xss=1 and __init__' },
    ])
  })

  it('leaves snake_case words alone', () => {
    expect(parseInline('set max_retry_count to 3')).toEqual([
      { t: 'text', v: 'set max_retry_count to 3' },
    ])
  })

  it('turns single newlines into line breaks', () => {
    expect(parseInline('a\nb')).toEqual([{ t: 'text', v: 'a' }, { t: 'br' }, { t: 'text', v: 'b' }])
  })
})

describe('parseMarkdown', () => {
  it('parses paragraphs, lists, headings, quotes and code fences', () => {
    const blocks = parseMarkdown(
      '# Reset\n\nSteps:\n1. Open **Settings**\n2. Click reset\n\n- one\n- two\n\n> note\n\n```\n<b>raw</b>\n```',
    )
    expect(blocks.map((b) => b.t)).toEqual(['h', 'p', 'ol', 'ul', 'quote', 'pre'])
    expect(blocks[2]).toMatchObject({ t: 'ol', start: 1 })
    expect(blocks[5]).toEqual({ t: 'pre', v: '<b>raw</b>' })
  })

  it('survives an unterminated fence and odd input without throwing', () => {
    expect(parseMarkdown('```\ncode')).toEqual([{ t: 'pre', v: 'code' }])
    for (const s of ['', '*', '**', '[', '[]()', '`', '_', '***x***', '1.', '-']) {
      expect(() => parseMarkdown(s)).not.toThrow()
    }
  })

  it('plain text drops markup', () => {
    expect(toPlainText('**Hi** [docs](https://x.test) `x`\n- a')).toBe('Hi docs x\na')
  })
})
