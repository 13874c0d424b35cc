import { Readability } from '@mozilla/readability'
import { parseHTML } from 'linkedom'

/** A document's readable content, as an article body: Markdown-style `## ` sections. */
export interface ExtractedDocument {
  title: string
  /** Text with headings as `#`-lines, list items as `- `, paragraphs separated by blank lines. */
  body: string
}

/** An HTML page: its main content plus what a crawler needs from the whole page. */
export interface ExtractedPage extends ExtractedDocument {
  /** Absolute http(s) links of the page (anchors dropped), in page order. */
  links: string[]
  /** `<meta name="robots">` says noindex / nofollow. */
  noindex: boolean
  nofollow: boolean
  /** `<link rel="canonical">`, absolute. */
  canonical: string | undefined
}

/** Elements that are never content, whatever the page's markup says. */
const CHROME =
  'script, style, noscript, template, iframe, svg, form, nav, header, footer, aside, [role=navigation], [role=banner], [role=contentinfo], [aria-hidden=true], [hidden]'
/** Cookie banners and consent dialogs by the names sites give them. */
const CONSENT = /cookie|consent|gdpr|onetrust|cookiebot|cc-banner|cc-window/i

const BLOCKS = new Set([
  'P',
  'DIV',
  'SECTION',
  'ARTICLE',
  'MAIN',
  'BLOCKQUOTE',
  'PRE',
  'TABLE',
  'TR',
  'DL',
  'DT',
  'DD',
  'FIGURE',
  'FIGCAPTION',
  'UL',
  'OL',
])

/**
 * Main content of an HTML page with a maintained readability library (Mozilla's Readability on
 * a linkedom document): navigation, headers, footers, asides and cookie banners are dropped,
 * headings kept as `## ` sections. Links, robots meta and canonical come from the whole page.
 */
export function extractHtmlPage(html: string, pageUrl: string): ExtractedPage {
  const { document } = parseHTML(html)
  const robots = (
    document.querySelector('meta[name="robots" i]')?.getAttribute('content') ?? ''
  ).toLowerCase()
  const links: string[] = []
  const seen = new Set<string>()
  for (const a of document.querySelectorAll('a[href]')) {
    const href = a.getAttribute('href') ?? ''
    if ((a.getAttribute('rel') ?? '').toLowerCase().includes('nofollow')) continue
    const abs = absoluteHttp(href, pageUrl)
    if (abs && !seen.has(abs)) {
      seen.add(abs)
      links.push(abs)
    }
  }
  const canonicalHref = document.querySelector('link[rel="canonical" i]')?.getAttribute('href')
  const canonical = canonicalHref ? absoluteHttp(canonicalHref, pageUrl) : undefined
  const doc = extractHtmlDocument(html)
  return {
    ...doc,
    links,
    noindex: robots.includes('noindex') || robots.includes('none'),
    nofollow: robots.includes('nofollow') || robots.includes('none'),
    canonical,
  }
}

/** Title and main content of an HTML document (an uploaded file, a crawled page). */
export function extractHtmlDocument(html: string): ExtractedDocument {
  const { document } = parseHTML(html)
  const pageTitle = (document.querySelector('title')?.textContent ?? '').trim()
  const h1 = (document.querySelector('h1')?.textContent ?? '').replace(/\s+/g, ' ').trim()
  for (const el of document.querySelectorAll(CHROME)) el.remove()
  for (const el of document.querySelectorAll('[id], [class]')) {
    const names = `${el.getAttribute('id') ?? ''} ${el.getAttribute('class') ?? ''}`
    if (CONSENT.test(names) && el.tagName !== 'BODY' && el.tagName !== 'HTML') el.remove()
  }
  // Readability takes the document apart: it works on a copy, the cleaned one stays a fallback.
  const copy = parseHTML(document.toString()).document
  const parsed = new Readability(copy as unknown as Document, { charThreshold: 100 }).parse()
  let body = ''
  if (parsed?.content) {
    body = toText(parseHTML(`<html><body>${parsed.content}</body></html>`).document.body)
  }
  if (body.trim().length < 40 && document.body) body = toText(document.body)
  // Readability demotes the page's own h1 (the title) to h2: a leading section named as the
  // title says nothing, the article's title says it.
  const title = h1 || parsed?.title?.trim() || pageTitle
  body = dropLeadingTitle(body, title)
  return { title: title.slice(0, 200), body: body.trim() }
}

function dropLeadingTitle(body: string, title: string): string {
  const lines = body.split('\n')
  const first = lines.findIndex((l) => l.trim() !== '')
  if (first === -1) return body
  const heading = lines[first]!.replace(/^#+\s*/, '').trim()
  if (lines[first]!.startsWith('#') && heading.toLowerCase() === title.toLowerCase())
    lines.splice(first, 1)
  return lines.join('\n')
}

/** Absolute http(s) URL of a link without its #fragment, or undefined. */
export function absoluteHttp(href: string, base: string): string | undefined {
  try {
    const u = new URL(href.trim(), base)
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined
    u.hash = ''
    return u.href
  } catch {
    return undefined
  }
}

interface Node {
  nodeType: number
  nodeName: string
  textContent: string | null
  childNodes: ArrayLike<Node>
}

/** Walks a content tree into Markdown-style text: headings, list items, paragraphs. */
function toText(root: Node | null): string {
  if (!root) return ''
  const out: string[] = []
  let line = ''
  const flush = (blank: boolean) => {
    const t = line.replace(/[ \t\u00a0]+/g, ' ').trim()
    if (t !== '') out.push(t)
    if (blank && out.at(-1) !== '') out.push('')
    line = ''
  }
  const walk = (node: Node, listDepth: number) => {
    if (node.nodeType === 3) {
      line += node.textContent ?? ''
      return
    }
    if (node.nodeType !== 1) return
    const tag = node.nodeName.toUpperCase()
    const level = /^H([1-6])$/.exec(tag)
    if (level) {
      flush(true)
      const text = (node.textContent ?? '').replace(/\s+/g, ' ').trim()
      if (text !== '') out.push(`${'#'.repeat(Math.max(2, Number(level[1])))} ${text}`, '')
      return
    }
    if (tag === 'BR') {
      flush(false)
      return
    }
    if (tag === 'LI') {
      flush(false)
      line = `${'  '.repeat(Math.max(0, listDepth - 1))}- `
      for (const c of Array.from(node.childNodes)) walk(c, listDepth)
      flush(false)
      return
    }
    const block = BLOCKS.has(tag)
    if (block) flush(tag !== 'DIV' && tag !== 'TR' && tag !== 'DT')
    const depth = tag === 'UL' || tag === 'OL' ? listDepth + 1 : listDepth
    for (const c of Array.from(node.childNodes)) walk(c, depth)
    if (tag === 'TD' || tag === 'TH') line += ' '
    if (block)
      flush(tag === 'P' || tag === 'UL' || tag === 'OL' || tag === 'PRE' || tag === 'TABLE')
  }
  walk(root, 0)
  flush(false)
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}
