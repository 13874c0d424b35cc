import { Marked, type Tokens } from 'marked'
import { slugify } from '../knowledge/article-slug.ts'

/** A heading of an article, for its table of contents. */
export interface TocEntry {
  id: string
  text: string
  depth: 2 | 3
}

export interface RenderedArticle {
  html: string
  toc: TocEntry[]
}

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )
}

/** Link targets an article may use: web pages, mail, and places on the same site. */
function safeHref(href: string): string | undefined {
  const h = href.trim()
  if (/^(?:https?:|mailto:)/i.test(h)) return h
  if (h.startsWith('#') || (h.startsWith('/') && !h.startsWith('//'))) return h
  // Relative paths without a scheme (`other-article`); anything with a scheme is refused.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(h) && !h.startsWith('//')) return h
  return undefined
}

/**
 * An article body (Markdown; the plain text the console writes is Markdown too) as HTML. Safe for
 * tenant-written text: raw HTML is shown as text, never interpreted; links only to http(s),
 * mailto and relative targets (others become plain text); images only over https. Headings are
 * one level below the page's title (`#`/`##` → h2, `###` and deeper → h3) and carry ids for the
 * table of contents.
 */
export function renderArticleBody(body: string): RenderedArticle {
  const toc: TocEntry[] = []
  const used = new Set<string>()
  const marked = new Marked({
    gfm: true,
    breaks: true,
    async: false,
    renderer: {
      html: ({ text }) => esc(text),
      heading({ tokens, depth }) {
        const level = depth <= 2 ? 2 : 3
        const inner = this.parser.parseInline(tokens)
        const text = inner.replace(/<[^>]*>/g, '')
        const base = slugify(text.replace(/&[a-z#0-9]+;/gi, ' '), 56)
        let id = base
        for (let n = 2; used.has(id); n++) id = `${base}-${n}`
        used.add(id)
        toc.push({ id, text, depth: level })
        return `<h${level} id="${id}">${inner}</h${level}>\n`
      },
      link({ href, title, tokens }: Tokens.Link) {
        const inner = this.parser.parseInline(tokens)
        const target = safeHref(href)
        if (target === undefined) return inner
        const rel = /^https?:/i.test(target) ? ' rel="nofollow noopener"' : ''
        const t = title ? ` title="${esc(title)}"` : ''
        return `<a href="${esc(target)}"${t}${rel}>${inner}</a>`
      },
      image({ href, title, text }: Tokens.Image) {
        if (!/^https:\/\//i.test(href.trim())) return esc(text)
        const t = title ? ` title="${esc(title)}"` : ''
        return `<img src="${esc(href.trim())}" alt="${esc(text)}"${t} loading="lazy">`
      },
    },
  })
  const html = marked.parse(body) as string
  return { html, toc }
}

/** The first words of an article, as plain text, for descriptions and result excerpts. */
export function plainExcerpt(body: string, max = 200): string {
  const text = body
    .split('\n')
    .map((line) => line.replace(/^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s?)/, ''))
    .join(' ')
    .replace(/[*_`[\]]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
  if (text.length <= max) return text
  const cut = text.slice(0, max)
  const space = cut.lastIndexOf(' ')
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`
}
